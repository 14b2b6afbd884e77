// SPDX-License-Identifier: GPL-2.0
/* Least connections: the destination with the smallest overhead. */
#include "sched.h"

static struct nfvs_dest *nfvs_lc_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	return nfvs_sched_least(svc, nfvs_dest_overhead, false);
}

struct nfvs_scheduler nfvs_sched_lc = {
	.name = "lc",
	.schedule = nfvs_lc_schedule,
};
