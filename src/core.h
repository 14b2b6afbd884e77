/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_CORE_H
#define _NFVS_CORE_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/tcp.h>

#include "conn.h"

struct net;
struct rtable;

/* What the packet path needs of an IPv4 TCP or UDP packet. */
struct nfvs_pkt {
	u8 protocol;
	unsigned int l4off;
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	struct tcphdr th;	/* TCP only: the flags */
};

/* The key of a connection: its client end. */
static inline struct nfvs_conn_key
nfvs_client_key(const union nf_inet_addr *addr, __be16 port, u8 protocol)
{
	return (struct nfvs_conn_key) {
		.caddr = *addr,
		.cport = port,
		.protocol = protocol,
		.af = AF_INET,
	};
}

bool nfvs_pkt_parse(const struct sk_buff *skb, struct nfvs_pkt *p);
unsigned int nfvs_core_in(struct sk_buff *skb, const struct nf_hook_state *state);
unsigned int nfvs_core_out(struct net *net, struct sk_buff *skb);

/* icmp.c */
unsigned int nfvs_icmp_in(struct net *net, struct sk_buff *skb);
unsigned int nfvs_icmp_forward(struct net *net, struct sk_buff *skb);

/* xmit.c, xmit_nat.c, xmit_tun.c */
struct rtable *nfvs_route(struct net *net, __be32 daddr, bool known_nh,
			  __be32 *saddr, bool *local);
int nfvs_forward_check(struct net *net, struct sk_buff *skb, unsigned int mtu);
/* dest_route.c */
struct rtable *nfvs_conn_route(struct net *net, const struct nfvs_conn *cp,
			       bool known_nh, __be32 *saddr, bool *local);
unsigned int nfvs_send(struct net *net, const struct nfvs_conn *cp,
		       struct sk_buff *skb, struct rtable *rt);
void nfvs_track(const struct nfvs_conn *cp, struct sk_buff *skb);
unsigned int nfvs_xmit_nat(struct net *net, struct nfvs_conn *cp,
			   struct sk_buff *skb, const struct nfvs_pkt *p);
unsigned int nfvs_xmit_dr(struct net *net, struct nfvs_conn *cp,
			  struct sk_buff *skb);
unsigned int nfvs_xmit_tun(struct net *net, struct nfvs_conn *cp,
			   struct sk_buff *skb);
unsigned int nfvs_unnat_reply(struct nfvs_conn *cp, struct sk_buff *skb,
			      const struct nfvs_pkt *p);
void nfvs_untrack(struct sk_buff *skb);
void nfvs_mark_sent(struct sk_buff *skb);
bool nfvs_was_sent(const struct sk_buff *skb);

#endif /* _NFVS_CORE_H */
