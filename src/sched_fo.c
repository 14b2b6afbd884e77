// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted failover: every connection to the destination of the highest
 * weight that is not overloaded; ties go to the first listed.
 */
#include "sched.h"

static bool nfvs_fo_usable(struct nfvs_dest *dest, int weight)
{
	return !nfvs_dest_overloaded(dest);
}

static struct nfvs_dest *nfvs_fo_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	return nfvs_sched_heaviest(svc, nfvs_fo_usable);
}

struct nfvs_scheduler nfvs_sched_fo = {
	.name = "fo",
	.schedule = nfvs_fo_schedule,
};
