// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler registry. Schedulers are built into nfvs; each registers an
 * ops struct (sched_*.c) and the core never looks at their names.
 */
#include <linux/mutex.h>
#include <linux/string.h>

#include "netns.h"
#include "sched.h"
#include "service.h"

static LIST_HEAD(nfvs_schedulers);
static DEFINE_MUTEX(nfvs_schedulers_mutex);

static struct nfvs_scheduler *const nfvs_builtin_schedulers[] = {
	&nfvs_sched_rr,
	&nfvs_sched_wrr,
	&nfvs_sched_lc,
	&nfvs_sched_wlc,
	&nfvs_sched_sed,
	&nfvs_sched_nq,
};

void nfvs_sched_register(struct nfvs_scheduler *sched)
{
	mutex_lock(&nfvs_schedulers_mutex);
	list_add_tail(&sched->list, &nfvs_schedulers);
	mutex_unlock(&nfvs_schedulers_mutex);
}

void nfvs_sched_unregister(struct nfvs_scheduler *sched)
{
	mutex_lock(&nfvs_schedulers_mutex);
	list_del(&sched->list);
	mutex_unlock(&nfvs_schedulers_mutex);
}

struct nfvs_scheduler *nfvs_sched_find(const char *name)
{
	struct nfvs_scheduler *sched, *found = NULL;

	mutex_lock(&nfvs_schedulers_mutex);
	list_for_each_entry(sched, &nfvs_schedulers, list) {
		if (!strcmp(sched->name, name)) {
			found = sched;
			break;
		}
	}
	mutex_unlock(&nfvs_schedulers_mutex);
	return found;
}

int nfvs_sched_bind(struct nfvs_service *svc, struct nfvs_scheduler *sched)
{
	int err;

	svc->sched_data = NULL;
	if (sched->init_service) {
		err = sched->init_service(svc);
		if (err)
			return err;
	}
	rcu_assign_pointer(svc->sched, sched);
	return 0;
}

/* Detaches the scheduler of a live service; sleeps for a grace period. */
void nfvs_sched_unbind(struct nfvs_service *svc)
{
	struct nfvs_scheduler *sched;

	sched = rcu_dereference_protected(svc->sched,
					  lockdep_is_held(&svc->nn->services.mutex));
	RCU_INIT_POINTER(svc->sched, NULL);
	synchronize_rcu();
	if (sched && sched->done_service)
		sched->done_service(svc);
	svc->sched_data = NULL;
}

static struct nfvs_scheduler *nfvs_sched_of(struct nfvs_service *svc)
{
	return rcu_dereference_protected(svc->sched,
					 lockdep_is_held(&svc->nn->services.mutex));
}

void nfvs_sched_dest_added(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->add_dest)
		sched->add_dest(svc, dest);
}

void nfvs_sched_dest_removed(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->del_dest)
		sched->del_dest(svc, dest);
}

void nfvs_sched_dest_updated(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->upd_dest)
		sched->upd_dest(svc, dest);
}

int nfvs_schedulers_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nfvs_builtin_schedulers); i++)
		nfvs_sched_register(nfvs_builtin_schedulers[i]);
	return 0;
}

void nfvs_schedulers_exit(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nfvs_builtin_schedulers); i++)
		nfvs_sched_unregister(nfvs_builtin_schedulers[i]);
}
