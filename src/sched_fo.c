// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted failover: every connection to the destination of the highest
 * weight that is not overloaded; ties go to the first listed.
 */
#include "sched.h"

static struct nfvs_dest *nfvs_fo_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	struct nfvs_dest *dest, *best = NULL;
	int weight, top = 0;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		weight = atomic_read(&dest->weight);
		if (weight > top && !nfvs_dest_overloaded(dest)) {
			best = dest;
			top = weight;
		}
	}
	return best;
}

struct nfvs_scheduler nfvs_sched_fo = {
	.name = "fo",
	.schedule = nfvs_fo_schedule,
};
