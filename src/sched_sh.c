// SPDX-License-Identifier: GPL-2.0
/*
 * Source hashing: a client address (and, with NFVS_SVC_F_SCHED_SH_PORT,
 * port) always lands on the same slot of a table in which each destination
 * holds a run of slots as long as its weight. A client whose destination is
 * quiesced or overloaded gets none, or with NFVS_SVC_F_SCHED_SH_FALLBACK
 * another one of its own.
 */
#include "sched.h"

#define NFVS_SH_SLOTS		251
#define NFVS_SH_SEED		0x5e1ec7ed
#define NFVS_SH_PROBE_SEED	0x0b5e55ed

/* Quiesced destinations keep a slot, so that their clients stay put. */
static int nfvs_sh_fill(struct nfvs_service *svc, struct nfvs_lookup *lookup,
			const struct nfvs_dest *leaving)
{
	struct nfvs_dest *dest;
	unsigned int i = 0;
	int run;

	do {
		list_for_each_entry(dest, &svc->dests, list) {
			if (dest == leaving)
				continue;
			run = max(atomic_read(&dest->weight), 1);
			for (; run > 0 && i < lookup->size; run--, i++)
				RCU_INIT_POINTER(lookup->slot[i], dest);
		}
	} while (i && i < lookup->size);
	return 0;
}

static const struct nfvs_lookup_ops nfvs_sh_ops = {
	.size = NFVS_SH_SLOTS,
	.fill = nfvs_sh_fill,
};

static int nfvs_sh_init(struct nfvs_service *svc)
{
	return nfvs_lookup_init(svc, &nfvs_sh_ops);
}

static struct nfvs_dest *nfvs_sh_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	u32 flags = READ_ONCE(svc->flags);
	__be16 port = 0;

	if (flags & NFVS_SVC_F_SCHED_SH_PORT)
		port = flow->sport;
	return nfvs_lookup_pick(svc,
				nfvs_sched_hash(flow->af, &flow->saddr, port,
						NFVS_SH_SEED),
				nfvs_sched_hash(flow->af, &flow->saddr, port,
						NFVS_SH_PROBE_SEED),
				flags & NFVS_SVC_F_SCHED_SH_FALLBACK);
}

struct nfvs_scheduler nfvs_sched_sh = {
	.name = "sh",
	.init_service = nfvs_sh_init,
	.done_service = nfvs_lookup_done,
	.add_dest = nfvs_lookup_changed,
	.del_dest = nfvs_lookup_del_dest,
	.upd_dest = nfvs_lookup_changed,
	.schedule = nfvs_sh_schedule,
};
