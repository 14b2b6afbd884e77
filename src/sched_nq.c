// SPDX-License-Identifier: GPL-2.0
/*
 * Never queue: an idle destination if there is one, else the shortest
 * expected delay.
 */
#include "sched.h"

static struct nfvs_dest *nfvs_nq_schedule(struct nfvs_service *svc,
					  const struct sk_buff *skb,
					  const struct nfvs_flow *flow)
{
	struct nfvs_dest *dest;

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		if (nfvs_dest_available(dest) &&
		    !atomic_read(&dest->activeconns))
			return dest;
	}
	return nfvs_sed_pick(svc);
}

struct nfvs_scheduler nfvs_sched_nq = {
	.name = "nq",
	.schedule = nfvs_nq_schedule,
};
