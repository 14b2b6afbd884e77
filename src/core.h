/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_CORE_H
#define _NFVS_CORE_H

#include <linux/skbuff.h>
#include <linux/tcp.h>

struct nfvs_conn;
struct net;

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

bool nfvs_pkt_parse(const struct sk_buff *skb, struct nfvs_pkt *p);
unsigned int nfvs_core_in(struct net *net, struct sk_buff *skb);
unsigned int nfvs_core_out(struct net *net, struct sk_buff *skb);

/* xmit.c */
unsigned int nfvs_xmit_nat(struct net *net, struct nfvs_conn *cp,
			   struct sk_buff *skb, const struct nfvs_pkt *p);
unsigned int nfvs_unnat_reply(struct nfvs_conn *cp, struct sk_buff *skb,
			      const struct nfvs_pkt *p);
void nfvs_mark_sent(struct sk_buff *skb);
bool nfvs_was_sent(const struct sk_buff *skb);

#endif /* _NFVS_CORE_H */
