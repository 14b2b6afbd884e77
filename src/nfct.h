/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_NFCT_H
#define _NFVS_NFCT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct net;
struct nf_conn;
struct nfvs_conn;
struct nfvs_net;

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
/* The packet's entry is the bridge's: nfvs sent it, not in-tree IPVS. */
bool nfvs_nfct_sent(struct net *net, const struct sk_buff *skb);
/* With the bridge on, conntrack found the packet INVALID. */
bool nfvs_nfct_invalid(const struct nfvs_net *nn, const struct sk_buff *skb);
/* Conntrack holds the packet's TCP connection for established. */
bool nfvs_nfct_tcp_established(const struct sk_buff *skb);
unsigned int nfvs_nfct_out(struct nfvs_conn *cp, struct sk_buff *skb);

/* nfct_helper.c: an entry's deletion ends its connection. */
int nfvs_nfct_helpers_register(void);
void nfvs_nfct_helpers_unregister(void);
void nfvs_nfct_net_exit(struct nfvs_net *nn);
/* Before confirmation: the entry will tell nfvs when it dies. */
bool nfvs_nfct_helper_add(struct nf_conn *ct);
/* After: it holds the connection until then. */
void nfvs_nfct_bind(struct nf_conn *ct, struct nfvs_conn *cp);
/* The connection ends: back from an entry that lost its helper. */
void nfvs_nfct_unbind_orphan(struct nf_conn *ct, struct nfvs_conn *cp);
/* An expected connection of the packet's entry, RELATED when it comes. */
void nfvs_nfct_expect(struct sk_buff *skb, const union nf_inet_addr *saddr,
		      const union nf_inet_addr *daddr, __be16 dport);

#endif /* _NFVS_NFCT_H */
