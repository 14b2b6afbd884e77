// SPDX-License-Identifier: GPL-2.0
/* Weighted least connections: the smallest overhead per unit of weight. */
#include "sched.h"

static struct nfvs_dest *nfvs_wlc_schedule(struct nfvs_service *svc,
					   const struct sk_buff *skb,
					   const struct nfvs_flow *flow)
{
	return nfvs_sched_least(svc, nfvs_dest_overhead, true);
}

struct nfvs_scheduler nfvs_sched_wlc = {
	.name = "wlc",
	.schedule = nfvs_wlc_schedule,
};
