// SPDX-License-Identifier: GPL-2.0
/*
 * Overflow: connections go to the destination of the highest weight until
 * its active connections exceed that weight, then overflow to the next
 * highest (as in-tree ip_vs_ovf: a weight of w takes up to w + 1). Only
 * active connections count, which suits TCP rather than UDP.
 */
#include "sched.h"

static bool nfvs_ovf_usable(struct nfvs_dest *dest, int weight)
{
	return atomic_read(&dest->activeconns) <= weight &&
	       !nfvs_dest_overloaded(dest);
}

static struct nfvs_dest *nfvs_ovf_schedule(struct nfvs_service *svc,
					   const struct sk_buff *skb,
					   const struct nfvs_flow *flow)
{
	return nfvs_sched_heaviest(svc, nfvs_ovf_usable);
}

struct nfvs_scheduler nfvs_sched_ovf = {
	.name = "ovf",
	.schedule = nfvs_ovf_schedule,
};
