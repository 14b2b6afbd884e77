// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest expected delay: the destination where one more connection would
 * wait least, (active + 1) / weight.
 */
#include "sched.h"

struct nfvs_dest *nfvs_sed_pick(struct nfvs_service *svc)
{
	struct nfvs_dest *dest, *least = NULL;
	u64 loh = 0, lw = 0, doh, dw;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		dw = atomic_read(&dest->weight);
		if ((int)dw <= 0)
			continue;
		doh = atomic_read(&dest->activeconns) + 1;
		if (!least || doh * lw < loh * dw) {
			least = dest;
			loh = doh;
			lw = dw;
		}
	}
	return least;
}

static struct nfvs_dest *nfvs_sed_schedule(struct nfvs_service *svc,
					   const struct sk_buff *skb,
					   const struct nfvs_flow *flow)
{
	return nfvs_sed_pick(svc);
}

struct nfvs_scheduler nfvs_sched_sed = {
	.name = "sed",
	.schedule = nfvs_sed_schedule,
};
