// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual services of one namespace: two RCU hash tables, by
 * protocol/address/port and by firewall mark. Changes happen under the
 * namespace's service mutex; the packet path only reads.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "netns.h"
#include "sched.h"
#include "app.h"
#include "service.h"

void nfvs_services_init(struct nfvs_services *t)
{
	unsigned int i;

	mutex_init(&t->mutex);
	for (i = 0; i < NFVS_SVC_TAB_SIZE; i++) {
		INIT_HLIST_HEAD(&t->svc_table[i]);
		INIT_HLIST_HEAD(&t->fwm_table[i]);
	}
	t->count = 0;
}

struct hlist_head *nfvs_services_bucket(struct nfvs_net *nn, unsigned int i)
{
	if (i < NFVS_SVC_TAB_SIZE)
		return &nn->services.svc_table[i];
	return &nn->services.fwm_table[i - NFVS_SVC_TAB_SIZE];
}

static unsigned int nfvs_svc_hash(u16 af, u16 protocol,
				  const union nf_inet_addr *addr, __be16 port)
{
	u32 a = af == AF_INET6 ? jhash(addr, sizeof(*addr), 0) : addr->all[0];

	return jhash_3words(a, (__force u32)port, protocol, 0) &
	       (NFVS_SVC_TAB_SIZE - 1);
}

static unsigned int nfvs_fwm_hash(u32 fwmark)
{
	return hash_32(fwmark, NFVS_SVC_TAB_BITS);
}

static struct hlist_head *nfvs_service_chain(struct nfvs_net *nn,
					     const struct nfvs_service_conf *c)
{
	if (c->fwmark)
		return &nn->services.fwm_table[nfvs_fwm_hash(c->fwmark)];
	return &nn->services.svc_table[nfvs_svc_hash(c->af, c->protocol,
						     &c->addr, c->port)];
}

static bool nfvs_service_matches(const struct nfvs_service *svc,
				 const struct nfvs_service_conf *c)
{
	if (svc->af != c->af || svc->fwmark != c->fwmark)
		return false;
	if (c->fwmark)
		return true;
	return svc->protocol == c->protocol && svc->port == c->port &&
	       nf_inet_addr_cmp(&svc->addr, &c->addr);
}

struct nfvs_service *nfvs_service_find(struct nfvs_net *nn,
				       const struct nfvs_service_conf *c)
{
	struct nfvs_service *svc;

	hlist_for_each_entry_rcu(svc, nfvs_service_chain(nn, c), hash,
				 lockdep_is_held(&nn->services.mutex)) {
		if (nfvs_service_matches(svc, c))
			return svc;
	}
	return NULL;
}

const char *nfvs_service_sched_name(const struct nfvs_service *svc)
{
	struct nfvs_scheduler *sched;

	sched = rcu_dereference_check(svc->sched,
				      lockdep_is_held(&svc->nn->services.mutex));
	return sched ? sched->name : "none";
}

static int nfvs_sched_lookup(const char *name, struct nfvs_scheduler **sched,
			     struct netlink_ext_ack *extack)
{
	*sched = NULL;
	if (!strcmp(name, "none"))
		return 0;
	*sched = nfvs_sched_find(name);
	if (!*sched) {
		NL_SET_ERR_MSG(extack, "unknown scheduler");
		return -ENOENT;
	}
	return 0;
}

int nfvs_service_add(struct nfvs_net *nn, const struct nfvs_service_conf *c,
		     struct netlink_ext_ack *extack)
{
	const struct nfvs_app *app;
	struct nfvs_scheduler *sched;
	struct nfvs_service *svc;
	int err;

	lockdep_assert_held(&nn->services.mutex);
	err = nfvs_sched_lookup(c->sched_name, &sched, extack);
	if (err)
		return err;
	app = nfvs_app_lookup(c, extack);
	if (IS_ERR(app))
		return PTR_ERR(app);

	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	if (!svc)
		return -ENOMEM;
	err = nfvs_stats_init(&svc->stats);
	if (err)
		goto err_stats;

	svc->nn = nn;
	svc->af = c->af;
	svc->protocol = c->protocol;
	svc->addr = c->addr;
	svc->port = c->port;
	svc->fwmark = c->fwmark;
	svc->app = app;
	svc->flags = (c->flags & ~NFVS_SVC_F_HASHED);
	svc->timeout = c->timeout;
	svc->netmask = c->netmask;
	INIT_LIST_HEAD(&svc->dests);
	refcount_set(&svc->refcnt, 1);

	if (sched) {
		err = nfvs_sched_bind(svc, sched);
		if (err) {
			NL_SET_ERR_MSG(extack, "scheduler cannot serve this service");
			goto err_sched;
		}
	}

	svc->flags |= NFVS_SVC_F_HASHED;
	hlist_add_head_rcu(&svc->hash, nfvs_service_chain(nn, c));
	nn->services.count++;
	return 0;

err_sched:
	nfvs_stats_free(&svc->stats);
err_stats:
	kfree(svc);
	return err;
}

int nfvs_service_edit(struct nfvs_service *svc,
		      const struct nfvs_service_conf *c,
		      struct netlink_ext_ack *extack)
{
	struct nfvs_scheduler *old, *sched;
	const struct nfvs_app *app;
	int err;

	lockdep_assert_held(&svc->nn->services.mutex);
	err = nfvs_sched_lookup(c->sched_name, &sched, extack);
	if (err)
		return err;
	/* Without the attribute, an edit keeps the helper. */
	app = c->helper ? nfvs_app_lookup(c, extack) : svc->app;
	if (IS_ERR(app))
		return PTR_ERR(app);

	old = rcu_dereference_protected(svc->sched,
					lockdep_is_held(&svc->nn->services.mutex));
	if (old != sched) {
		if (old)
			nfvs_sched_unbind(svc);
		if (sched) {
			err = nfvs_sched_bind(svc, sched);
			if (err) {
				NL_SET_ERR_MSG(extack, "scheduler cannot serve this service");
				/* Put the old one back: the service keeps working. */
				if (old && nfvs_sched_bind(svc, old))
					pr_warn("service lost its scheduler\n");
				return err;
			}
		}
	}
	/* The packet path reads the scheduler flags. */
	WRITE_ONCE(svc->flags,
		   (c->flags & ~NFVS_SVC_F_HASHED) | NFVS_SVC_F_HASHED);
	svc->timeout = c->timeout;
	svc->netmask = c->netmask;
	/* New connections only: a live one keeps the helper it has. */
	WRITE_ONCE(svc->app, app);
	return 0;
}

static void nfvs_service_free_rcu(struct rcu_head *head)
{
	struct nfvs_service *svc = container_of(head, struct nfvs_service, rcu);
	struct nfvs_scheduler *sched = rcu_dereference_protected(svc->sched, 1);

	if (sched && sched->done_service)
		sched->done_service(svc);
	nfvs_stats_free(&svc->stats);
	kfree(svc);
}

void nfvs_service_del(struct nfvs_service *svc)
{
	struct nfvs_dest *dest, *next;

	lockdep_assert_held(&svc->nn->services.mutex);
	hlist_del_rcu(&svc->hash);
	svc->nn->services.count--;
	list_for_each_entry_safe(dest, next, &svc->dests, list)
		nfvs_dest_unlink(dest);
	nfvs_service_put(svc);
}

/* The last reference frees the service (and its scheduler's state). */
void nfvs_service_put(struct nfvs_service *svc)
{
	if (refcount_dec_and_test(&svc->refcnt))
		call_rcu(&svc->rcu, nfvs_service_free_rcu);
}

void nfvs_services_flush(struct nfvs_net *nn)
{
	struct nfvs_service *svc;
	struct hlist_node *next;
	unsigned int i;

	lockdep_assert_held(&nn->services.mutex);
	for (i = 0; i < NFVS_SVC_BUCKETS; i++)
		hlist_for_each_entry_safe(svc, next,
					  nfvs_services_bucket(nn, i), hash)
			nfvs_service_del(svc);
}

void nfvs_service_zero(struct nfvs_service *svc)
{
	struct nfvs_dest *dest;

	nfvs_stats_zero(&svc->stats);
	list_for_each_entry(dest, &svc->dests, list)
		nfvs_stats_zero(&dest->stats);
}

void nfvs_services_zero(struct nfvs_net *nn)
{
	struct nfvs_service *svc;
	unsigned int i;

	lockdep_assert_held(&nn->services.mutex);
	for (i = 0; i < NFVS_SVC_BUCKETS; i++)
		hlist_for_each_entry(svc, nfvs_services_bucket(nn, i), hash)
			nfvs_service_zero(svc);
	nfvs_stats_zero(&nn->tot_stats);
}
