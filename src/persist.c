// SPDX-License-Identifier: GPL-2.0
/*
 * Persistence: a persistent service sends every new connection of a client
 * (its address under the service's netmask) to the real server it chose
 * for the client's first, for as long as the client keeps coming back
 * within the persistence timeout. The choice is a template in the
 * connection table; connections made through it reference it, and it
 * outlives them. A template whose real server was removed, or (with
 * expire_quiescent_template) quiesced to weight 0, is dropped and the
 * client scheduled anew.
 */
#include <linux/jiffies.h>

#include "conn.h"
#include "netns.h"
#include "persist.h"
#include "sched.h"
#include "service.h"

static bool nfvs_tpl_usable(struct nfvs_net *nn, const struct nfvs_dest *dest)
{
	if (!READ_ONCE(dest->available))
		return false;
	return atomic_read(&dest->weight) > 0 ||
	       !READ_ONCE(nn->sysctl.expire_quiescent_template);
}

struct nfvs_dest *nfvs_persist_schedule(struct nfvs_net *nn,
					struct nfvs_service *svc,
					struct sk_buff *skb,
					const struct nfvs_flow *flow,
					struct nfvs_conn **tplp)
{
	struct nfvs_conn_param param = {
		.key = {
			.caddr.ip = flow->saddr.ip & svc->netmask,
			.af = AF_INET,
		},
		.vaddr = svc->addr,
		.vport = svc->port,
		.flags = NFVS_CONN_F_TEMPLATE,
	};
	unsigned long timeout = (unsigned long)svc->timeout * HZ;
	struct nfvs_scheduler *sched;
	struct nfvs_conn *tpl;
	struct nfvs_dest *dest;

	*tplp = NULL;
	tpl = nfvs_conn_tpl_get(nn, &param.key, svc);
	if (tpl) {
		if (nfvs_tpl_usable(nn, tpl->dest)) {
			nfvs_conn_touch(tpl, timeout);
			*tplp = tpl;
			return tpl->dest;
		}
		nfvs_conn_expire_now(tpl);
		nfvs_conn_put(tpl);
	}

	sched = rcu_dereference(svc->sched);
	dest = sched ? sched->schedule(svc, skb, flow) : NULL;
	if (!dest)
		return NULL;
	param.daddr = dest->addr;
	param.dport = dest->port;
	param.fwd = dest->fwd;
	/* Without memory for a template, this connection is not persistent. */
	*tplp = nfvs_conn_new(nn, &param, dest, timeout);
	return dest;
}
