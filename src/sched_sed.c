// SPDX-License-Identifier: GPL-2.0
/*
 * Shortest expected delay: the destination where one more connection would
 * wait least, (active + 1) / weight.
 */
#include "sched.h"

static unsigned int nfvs_sed_load(struct nfvs_dest *dest)
{
	return atomic_read(&dest->activeconns) + 1;
}

struct nfvs_dest *nfvs_sed_pick(struct nfvs_service *svc)
{
	return nfvs_sched_least(svc, nfvs_sed_load, true);
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
