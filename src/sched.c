// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers, all built into nfvs: each is an ops struct of its own file
 * (sched_*.c), listed here; the core never looks at their names.
 */
#include <linux/string.h>

#include "netns.h"
#include "sched.h"
#include "service.h"

static struct nfvs_scheduler *const nfvs_schedulers[] = {
	&nfvs_sched_rr,
	&nfvs_sched_wrr,
	&nfvs_sched_lc,
	&nfvs_sched_wlc,
	&nfvs_sched_sed,
	&nfvs_sched_nq,
	&nfvs_sched_fo,
	&nfvs_sched_ovf,
	&nfvs_sched_sh,
	&nfvs_sched_dh,
	&nfvs_sched_mh,
};

struct nfvs_scheduler *nfvs_sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nfvs_schedulers); i++)
		if (!strcmp(nfvs_schedulers[i]->name, name))
			return nfvs_schedulers[i];
	return NULL;
}

/*
 * The destination with the least load, or the least load per unit of
 * weight (compared without dividing); only available destinations.
 * Ties go to the first listed. For lc, wlc, sed and nq; packet path.
 */
struct nfvs_dest *nfvs_sched_least(struct nfvs_service *svc,
				   unsigned int (*load)(struct nfvs_dest *),
				   bool per_weight)
{
	struct nfvs_dest *dest, *least = NULL;
	u64 ll = 0, lw = 1, dl, dw;
	int weight;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		weight = atomic_read(&dest->weight);
		if (weight <= 0 || nfvs_dest_overloaded(dest))
			continue;
		dw = per_weight ? weight : 1;
		dl = load(dest);
		/* dl / dw < ll / lw */
		if (!least || dl * lw < ll * dw) {
			least = dest;
			ll = dl;
			lw = dw;
		}
	}
	return least;
}

/*
 * The usable destination of the highest weight (above 0); ties go to the
 * first listed. For fo and ovf; packet path.
 */
struct nfvs_dest *nfvs_sched_heaviest(struct nfvs_service *svc,
				      bool (*usable)(struct nfvs_dest *, int))
{
	struct nfvs_dest *dest, *best = NULL;
	int weight, top = 0;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		weight = atomic_read(&dest->weight);
		if (weight > top && usable(dest, weight)) {
			best = dest;
			top = weight;
		}
	}
	return best;
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

int nfvs_sched_dest_added(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->add_dest)
		return sched->add_dest(svc, dest);
	return 0;
}

void nfvs_sched_dest_removed(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->del_dest)
		sched->del_dest(svc, dest);
}

int nfvs_sched_dest_updated(struct nfvs_service *svc, struct nfvs_dest *dest)
{
	struct nfvs_scheduler *sched = nfvs_sched_of(svc);

	if (sched && sched->upd_dest)
		return sched->upd_dest(svc, dest);
	return 0;
}
