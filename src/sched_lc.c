// SPDX-License-Identifier: GPL-2.0
/* Least connections: the destination with the smallest overhead. */
#include "sched.h"

static struct nfvs_dest *nfvs_lc_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	struct nfvs_dest *dest, *least = NULL;
	unsigned int loh = 0, doh;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		if (atomic_read(&dest->weight) <= 0)
			continue;
		doh = nfvs_dest_overhead(dest);
		if (!least || doh < loh) {
			least = dest;
			loh = doh;
		}
	}
	return least;
}

struct nfvs_scheduler nfvs_sched_lc = {
	.name = "lc",
	.schedule = nfvs_lc_schedule,
};
