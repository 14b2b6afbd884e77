// SPDX-License-Identifier: GPL-2.0
/* Weighted least connections: the smallest overhead per unit of weight. */
#include "sched.h"

static struct nfvs_dest *nfvs_wlc_schedule(struct nfvs_service *svc,
					   const struct sk_buff *skb,
					   const struct nfvs_flow *flow)
{
	struct nfvs_dest *dest, *least = NULL;
	u64 loh = 0, lw = 0, doh, dw;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		dw = atomic_read(&dest->weight);
		if ((int)dw <= 0)
			continue;
		doh = nfvs_dest_overhead(dest);
		/* doh / dw < loh / lw, without dividing. */
		if (!least || doh * lw < loh * dw) {
			least = dest;
			loh = doh;
			lw = dw;
		}
	}
	return least;
}

struct nfvs_scheduler nfvs_sched_wlc = {
	.name = "wlc",
	.schedule = nfvs_wlc_schedule,
};
