/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_NFCT_H
#define _NFVS_NFCT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct nfvs_conn;

/*
 * The conntrack entry of a connection's packet (fresh: the connection's
 * first), made right for its forwarding method and confirmed if conntrack
 * just made it; NF_ACCEPT or NF_DROP.
 */
unsigned int nfvs_nfct_in(struct nfvs_conn *cp, struct sk_buff *skb,
			  const struct nf_hook_state *state, bool fresh);
void nfvs_nfct_follow(const struct nfvs_conn *cp, struct sk_buff *skb,
		      unsigned long timeout);
void nfvs_nfct_kill(struct nfvs_conn *cp);

#endif /* _NFVS_NFCT_H */
