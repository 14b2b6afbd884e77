// SPDX-License-Identifier: GPL-2.0
/*
 * Destination hashing: the address a client asks for always lands on the
 * same slot of a table dealt out to the destinations in turn, weights
 * aside. A quiesced or overloaded destination takes no new connection.
 */
#include "sched.h"

#define NFVS_DH_SLOTS		251
#define NFVS_DH_SEED		0xde57a7ed

static int nfvs_dh_fill(struct nfvs_service *svc, struct nfvs_lookup *lookup,
			const struct nfvs_dest *leaving)
{
	struct nfvs_dest *dest;
	unsigned int i = 0;

	do {
		list_for_each_entry(dest, &svc->dests, list) {
			if (dest == leaving || i == lookup->size)
				continue;
			RCU_INIT_POINTER(lookup->slot[i++], dest);
		}
	} while (i && i < lookup->size);
	return 0;
}

static const struct nfvs_lookup_ops nfvs_dh_ops = {
	.size = NFVS_DH_SLOTS,
	.fill = nfvs_dh_fill,
};

static int nfvs_dh_init(struct nfvs_service *svc)
{
	return nfvs_lookup_init(svc, &nfvs_dh_ops);
}

static struct nfvs_dest *nfvs_dh_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	return nfvs_lookup_pick(svc,
				nfvs_sched_hash(flow->af, &flow->daddr, 0,
						NFVS_DH_SEED),
				0, false);
}

struct nfvs_scheduler nfvs_sched_dh = {
	.name = "dh",
	.init_service = nfvs_dh_init,
	.done_service = nfvs_lookup_done,
	.add_dest = nfvs_lookup_changed,
	.del_dest = nfvs_lookup_del_dest,
	.schedule = nfvs_dh_schedule,
};
