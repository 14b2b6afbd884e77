/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_SCHED_H
#define _NFVS_SCHED_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>

#include "service.h"

struct nfvs_service;
struct nfvs_dest;

/* What a scheduler may look at in the packet that opens a connection. */
struct nfvs_flow {
	u16 af;
	u16 protocol;
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
};

/*
 * A scheduler picks the destination of a new connection. Its per-service
 * state hangs off svc->sched_data: init_service sets it up, done_service
 * frees it once no packet can see it any more. add/del/upd_dest are called,
 * under the service mutex, when the set of destinations or a weight
 * changes; an add or update that a scheduler refuses (no memory) is undone,
 * a deletion cannot be refused. del_dest comes after the destination left
 * the list (list_del_rcu): its next pointer still leads back into the list,
 * and a cursor left on it must move (to dest->list.next->prev, the node
 * before it). schedule runs in the packet path under rcu_read_lock(), and
 * must end even from a cursor on a node no longer listed.
 */
struct nfvs_scheduler {
	const char *name;
	int (*init_service)(struct nfvs_service *svc);
	void (*done_service)(struct nfvs_service *svc);
	int (*add_dest)(struct nfvs_service *svc, struct nfvs_dest *dest);
	int (*del_dest)(struct nfvs_service *svc, struct nfvs_dest *dest);
	int (*upd_dest)(struct nfvs_service *svc, struct nfvs_dest *dest);
	struct nfvs_dest *(*schedule)(struct nfvs_service *svc,
				      const struct sk_buff *skb,
				      const struct nfvs_flow *flow);
};

struct nfvs_scheduler *nfvs_sched_find(const char *name);

int nfvs_sched_bind(struct nfvs_service *svc, struct nfvs_scheduler *sched);
void nfvs_sched_unbind(struct nfvs_service *svc);
int nfvs_sched_dest_added(struct nfvs_service *svc, struct nfvs_dest *dest);
void nfvs_sched_dest_removed(struct nfvs_service *svc, struct nfvs_dest *dest);
int nfvs_sched_dest_updated(struct nfvs_service *svc, struct nfvs_dest *dest);

/* The schedulers built into nfvs, one file each. */
extern struct nfvs_scheduler nfvs_sched_rr;
extern struct nfvs_scheduler nfvs_sched_wrr;
extern struct nfvs_scheduler nfvs_sched_lc;
extern struct nfvs_scheduler nfvs_sched_wlc;
extern struct nfvs_scheduler nfvs_sched_sed;
extern struct nfvs_scheduler nfvs_sched_nq;
extern struct nfvs_scheduler nfvs_sched_fo;
extern struct nfvs_scheduler nfvs_sched_ovf;
extern struct nfvs_scheduler nfvs_sched_sh;
extern struct nfvs_scheduler nfvs_sched_dh;
extern struct nfvs_scheduler nfvs_sched_mh;

struct nfvs_dest *nfvs_sed_pick(struct nfvs_service *svc);
struct nfvs_dest *nfvs_sched_heaviest(struct nfvs_service *svc,
				      bool (*usable)(struct nfvs_dest *, int));
struct nfvs_dest *nfvs_sched_least(struct nfvs_service *svc,
				   unsigned int (*load)(struct nfvs_dest *),
				   bool per_weight);

/* Connections weigh on a destination: an active one 256 times an idle one. */
static inline unsigned int nfvs_dest_overhead(struct nfvs_dest *dest)
{
	return (atomic_read(&dest->activeconns) << 8) +
	       atomic_read(&dest->inactconns);
}

/*
 * IPVS's overload, which every scheduler honours: a destination with an
 * upper threshold takes no new connection once it holds that many, active
 * or not, and none again until it holds fewer than its lower threshold (if
 * that is 0, three quarters of the upper one). Decided when a scheduler
 * looks, without a lock: schedulers racing at the threshold may both see
 * it available, as in IPVS.
 */
static inline bool nfvs_dest_overloaded(struct nfvs_dest *dest)
{
	u32 upper = READ_ONCE(dest->u_threshold), lower, n;

	if (!upper)
		return false;
	n = (u32)atomic_read(&dest->activeconns) +
	    (u32)atomic_read(&dest->inactconns);
	if (n >= upper) {
		if (!test_bit(NFVS_DEST_OVERLOAD, &dest->flags))
			set_bit(NFVS_DEST_OVERLOAD, &dest->flags);
		return true;
	}
	if (!test_bit(NFVS_DEST_OVERLOAD, &dest->flags))
		return false;
	lower = READ_ONCE(dest->l_threshold);
	if (lower ? n >= lower : (u64)n * 4 >= (u64)upper * 3)
		return true;
	clear_bit(NFVS_DEST_OVERLOAD, &dest->flags);
	return false;
}

/* Neither quiesced (weight 0) nor overloaded. */
static inline bool nfvs_dest_available(struct nfvs_dest *dest)
{
	return atomic_read(&dest->weight) > 0 && !nfvs_dest_overloaded(dest);
}

/*
 * The lookup table of the hashing schedulers (sh, dh, mh): a prime number
 * of slots, each naming a destination or none. It is built whole under the
 * service mutex whenever the destinations change, and swapped in under RCU;
 * the packet path reads one slot, or probes on from it.
 */
struct nfvs_lookup {
	struct rcu_head rcu;
	unsigned int size;
	struct nfvs_dest __rcu *slot[];
};

struct nfvs_lookup_ops {
	unsigned int size;		/* a prime */
	/*
	 * Fills every slot of a zeroed table from svc->dests, without
	 * @leaving (being deleted, still listed); sleeps.
	 */
	int (*fill)(struct nfvs_service *svc, struct nfvs_lookup *lookup,
		    const struct nfvs_dest *leaving);
};

int nfvs_lookup_init(struct nfvs_service *svc,
		     const struct nfvs_lookup_ops *ops);
void nfvs_lookup_done(struct nfvs_service *svc);
int nfvs_lookup_changed(struct nfvs_service *svc, struct nfvs_dest *dest);
int nfvs_lookup_del_dest(struct nfvs_service *svc, struct nfvs_dest *dest);
struct nfvs_dest *nfvs_lookup_pick(struct nfvs_service *svc, u32 hash,
				   u32 probe_hash, bool fallback);
u32 nfvs_sched_hash(u16 af, const union nf_inet_addr *addr, __be16 port,
		    u32 seed);

#endif /* _NFVS_SCHED_H */
