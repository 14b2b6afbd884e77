// SPDX-License-Identifier: GPL-2.0
/*
 * Destinations (real servers) of a service: an RCU list under the
 * namespace's service mutex. A destination is freed after a grace period
 * once its last reference is gone.
 */
#include <linux/limits.h>
#include <linux/slab.h>
#include <net/netlink.h>
#include <linux/in.h>

#include "netns.h"
#include "sched.h"
#include "service.h"

struct nfvs_dest *nfvs_dest_find(struct nfvs_service *svc, u16 af,
				 const union nf_inet_addr *addr, __be16 port)
{
	struct nfvs_dest *dest;

	list_for_each_entry_rcu(dest, &svc->dests, list,
				lockdep_is_held(&svc->nn->services.mutex)) {
		if (dest->af == af && dest->port == port &&
		    nf_inet_addr_cmp(&dest->addr, addr))
			return dest;
	}
	return NULL;
}

static int nfvs_dest_check(const struct nfvs_dest_conf *c,
			   struct netlink_ext_ack *extack)
{
	__be32 a = c->addr.ip;

	/*
	 * A real server is one host. (Not inet_addr_type(): a namespace
	 * without addresses yet has no local table to ask.)
	 */
	if (c->af == AF_INET && (ipv4_is_multicast(a) || ipv4_is_lbcast(a) ||
				 ipv4_is_zeronet(a))) {
		NL_SET_ERR_MSG(extack,
			       "real server address must be a unicast address");
		return -EINVAL;
	}
	if (c->weight < 0) {
		NL_SET_ERR_MSG(extack, "weight must be between 0 and 2147483647");
		return -ERANGE;
	}
	if (c->l_threshold > c->u_threshold) {
		NL_SET_ERR_MSG(extack, "lower threshold is above the upper threshold");
		return -ERANGE;
	}
	if (c->u_threshold > INT_MAX) {
		NL_SET_ERR_MSG(extack, "upper threshold must be at most 2147483647");
		return -EINVAL;
	}
	switch (c->fwd) {
	case NFVS_FWD_NAT:
	case NFVS_FWD_LOCAL:
	case NFVS_FWD_TUNNEL:
	case NFVS_FWD_DROUTE:
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown forwarding method");
		return -EINVAL;
	}
	if (c->tun_type != NFVS_TUN_TYPE_IPIP) {
		NL_SET_ERR_MSG(extack, "only IPIP tunnels are supported");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void nfvs_dest_conf_get(const struct nfvs_dest *dest,
			       struct nfvs_dest_conf *c)
{
	*c = (struct nfvs_dest_conf) {
		.af = dest->af,
		.addr = dest->addr,
		.port = dest->port,
		.fwd = dest->fwd,
		.weight = atomic_read(&dest->weight),
		.u_threshold = dest->u_threshold,
		.l_threshold = dest->l_threshold,
		.tun_type = dest->tun_type,
		.tun_port = dest->tun_port,
		.tun_flags = dest->tun_flags,
	};
}

static void nfvs_dest_apply(struct nfvs_dest *dest,
			    const struct nfvs_dest_conf *c)
{
	bool raised;

	dest->fwd = c->fwd;
	atomic_set(&dest->weight, c->weight);
	if (c->weight)
		dest->last_weight = c->weight;
	raised = !c->u_threshold || c->u_threshold > dest->u_threshold;
	WRITE_ONCE(dest->u_threshold, c->u_threshold);
	WRITE_ONCE(dest->l_threshold, c->l_threshold);
	/* As IPVS: no upper threshold, or a higher one, ends an overload. */
	if (raised)
		clear_bit(NFVS_DEST_OVERLOAD, &dest->flags);
	dest->tun_type = c->tun_type;
	dest->tun_port = c->tun_port;
	dest->tun_flags = c->tun_flags;
}

int nfvs_dest_add(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		  struct netlink_ext_ack *extack)
{
	struct nfvs_dest *dest;
	int err;

	lockdep_assert_held(&svc->nn->services.mutex);
	err = nfvs_dest_check(c, extack);
	if (err)
		return err;
	if (nfvs_dest_find(svc, c->af, &c->addr, c->port)) {
		NL_SET_ERR_MSG(extack, "destination already exists");
		return -EEXIST;
	}

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	if (!dest)
		return -ENOMEM;
	err = nfvs_stats_init(&dest->stats);
	if (err) {
		kfree(dest);
		return err;
	}
	dest->svc = svc;
	refcount_inc(&svc->refcnt);
	dest->af = c->af;
	dest->addr = c->addr;
	dest->port = c->port;
	refcount_set(&dest->refcnt, 1);
	dest->available = true;
	nfvs_dest_apply(dest, c);

	list_add_tail_rcu(&dest->list, &svc->dests);
	svc->num_dests++;
	err = nfvs_sched_dest_added(svc, dest);
	if (err) {
		NL_SET_ERR_MSG(extack, "scheduler cannot take the destination");
		nfvs_dest_unlink(dest);
	}
	return err;
}

int nfvs_dest_edit(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		   struct netlink_ext_ack *extack)
{
	struct nfvs_dest_conf old;
	struct nfvs_dest *dest;
	int err, last_weight;

	lockdep_assert_held(&svc->nn->services.mutex);
	err = nfvs_dest_check(c, extack);
	if (err)
		return err;
	dest = nfvs_dest_find(svc, c->af, &c->addr, c->port);
	if (!dest) {
		NL_SET_ERR_MSG(extack, "no such destination");
		return -ENOENT;
	}
	nfvs_dest_conf_get(dest, &old);
	last_weight = dest->last_weight;
	nfvs_dest_apply(dest, c);
	err = nfvs_sched_dest_updated(svc, dest);
	if (err) {
		/* The scheduler still works from the old settings. */
		NL_SET_ERR_MSG(extack, "scheduler cannot take the change");
		nfvs_dest_apply(dest, &old);
		dest->last_weight = last_weight;
	}
	return err;
}

int nfvs_dest_del(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		  struct netlink_ext_ack *extack)
{
	struct nfvs_dest *dest;

	lockdep_assert_held(&svc->nn->services.mutex);
	dest = nfvs_dest_find(svc, c->af, &c->addr, c->port);
	if (!dest) {
		NL_SET_ERR_MSG(extack, "no such destination");
		return -ENOENT;
	}
	nfvs_dest_unlink(dest);
	return 0;
}

void nfvs_dest_unlink(struct nfvs_dest *dest)
{
	struct nfvs_service *svc = dest->svc;

	WRITE_ONCE(dest->available, false);
	list_del_rcu(&dest->list);
	svc->num_dests--;
	/*
	 * Only now, when no new walk of the list can reach it, may the
	 * schedulers move their cursors off it: told before, a packet could
	 * put a cursor back on it in between (sched.h).
	 */
	nfvs_sched_dest_removed(svc, dest);
	nfvs_dest_put(dest);
}

static void nfvs_dest_free_rcu(struct rcu_head *head)
{
	struct nfvs_dest *dest = container_of(head, struct nfvs_dest, rcu);

	nfvs_dest_route_release(dest);
	nfvs_stats_free(&dest->stats);
	kfree(dest);
}

void nfvs_dest_put(struct nfvs_dest *dest)
{
	if (!refcount_dec_and_test(&dest->refcnt))
		return;
	nfvs_service_put(dest->svc);
	call_rcu(&dest->rcu, nfvs_dest_free_rcu);
}
