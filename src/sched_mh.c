// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev hashing (Eisenbud et al., NSDI 2016, section 3.4): each
 * destination walks the table in an order of its own, derived from two
 * hashes of its address and port, and the destinations take turns claiming
 * the next free slot of their order, as many a turn as their weight. A
 * client address (and, with NFVS_SVC_F_SCHED_MH_PORT, port) picks a slot.
 * When a destination goes, mostly its own slots change hands, so mostly its
 * own clients move. A quiesced destination keeps its slots at its last
 * weight: its clients get none, or with NFVS_SVC_F_SCHED_MH_FALLBACK
 * another destination, and nobody else moves.
 */
#include <linux/bitmap.h>
#include <linux/gcd.h>
#include <linux/slab.h>

#include "sched.h"

#define NFVS_MH_SLOTS		4093
#define NFVS_MH_TURN_BITS	6	/* under 2^6 slots a turn */
#define NFVS_MH_OFFSET_SEED	0x3a91c2e7
#define NFVS_MH_SKIP_SEED	0x7c4f1d5b
#define NFVS_MH_SEED		0x1f6e8a93
#define NFVS_MH_PROBE_SEED	0x52b0d6cf

struct nfvs_mh_perm {
	struct nfvs_dest *dest;
	unsigned int next;		/* the slot it would like next */
	unsigned int skip;		/* its step through the table */
	unsigned int turns;		/* slots it claims a turn */
};

static bool nfvs_mh_counts(const struct nfvs_dest *dest,
			   const struct nfvs_dest *leaving)
{
	return dest != leaving && dest->last_weight > 0;
}

static void nfvs_mh_claim(struct nfvs_lookup *lookup, unsigned long *taken,
			  struct nfvs_mh_perm *p)
{
	while (test_bit(p->next, taken)) {
		p->next += p->skip;
		if (p->next >= lookup->size)
			p->next -= lookup->size;
	}
	__set_bit(p->next, taken);
	RCU_INIT_POINTER(lookup->slot[p->next], p->dest);
}

static int nfvs_mh_fill(struct nfvs_service *svc, struct nfvs_lookup *lookup,
			const struct nfvs_dest *leaving)
{
	unsigned int n = 0, i, t, filled, g = 0, top = 0, shift;
	struct nfvs_mh_perm *perm;
	struct nfvs_dest *dest;
	unsigned long *taken;
	int err = -ENOMEM;

	list_for_each_entry(dest, &svc->dests, list) {
		if (!nfvs_mh_counts(dest, leaving))
			continue;
		g = gcd(g, dest->last_weight);
		top = max_t(unsigned int, top, dest->last_weight);
		n++;
	}
	if (!n)
		return 0;
	/* Large weights are scaled down, keeping their ratios roughly. */
	shift = max(fls(top / g) - NFVS_MH_TURN_BITS, 0);

	perm = kcalloc(n, sizeof(*perm), GFP_KERNEL);
	taken = bitmap_zalloc(lookup->size, GFP_KERNEL);
	if (!perm || !taken)
		goto out;
	i = 0;
	list_for_each_entry(dest, &svc->dests, list) {
		if (!nfvs_mh_counts(dest, leaving))
			continue;
		perm[i].dest = dest;
		perm[i].next = nfvs_sched_hash(dest->af, &dest->addr, dest->port,
					       NFVS_MH_OFFSET_SEED) % lookup->size;
		perm[i].skip = nfvs_sched_hash(dest->af, &dest->addr, dest->port,
					       NFVS_MH_SKIP_SEED) %
			       (lookup->size - 1) + 1;
		perm[i].turns = max((dest->last_weight / g) >> shift, 1U);
		i++;
	}
	for (filled = 0, i = 0; filled < lookup->size; i = (i + 1) % n)
		for (t = 0; t < perm[i].turns && filled < lookup->size;
		     t++, filled++)
			nfvs_mh_claim(lookup, taken, &perm[i]);
	err = 0;
out:
	bitmap_free(taken);
	kfree(perm);
	return err;
}

static const struct nfvs_lookup_ops nfvs_mh_ops = {
	.size = NFVS_MH_SLOTS,
	.fill = nfvs_mh_fill,
};

static int nfvs_mh_init(struct nfvs_service *svc)
{
	return nfvs_lookup_init(svc, &nfvs_mh_ops);
}

static struct nfvs_dest *nfvs_mh_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	u32 flags = READ_ONCE(svc->flags);
	__be16 port = 0;

	if (flags & NFVS_SVC_F_SCHED_MH_PORT)
		port = flow->sport;
	return nfvs_lookup_pick(svc,
				nfvs_sched_hash(flow->af, &flow->saddr, port,
						NFVS_MH_SEED),
				nfvs_sched_hash(flow->af, &flow->saddr, port,
						NFVS_MH_PROBE_SEED),
				flags & NFVS_SVC_F_SCHED_MH_FALLBACK);
}

struct nfvs_scheduler nfvs_sched_mh = {
	.name = "mh",
	.init_service = nfvs_mh_init,
	.done_service = nfvs_lookup_done,
	.add_dest = nfvs_lookup_changed,
	.del_dest = nfvs_lookup_del_dest,
	.upd_dest = nfvs_lookup_changed,
	.schedule = nfvs_mh_schedule,
};
