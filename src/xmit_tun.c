// SPDX-License-Identifier: GPL-2.0
/*
 * Transmission by IPIP tunnel: the client's packet, unchanged but for its
 * TTL, inside an outer IPv4 header from this host to the real server. The
 * encapsulation costs 20 bytes of the path MTU; a packet with DF that no
 * longer fits is answered with frag-needed for what does.
 */
#include <linux/ip.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>

#include "conn.h"
#include "core.h"

static int nfvs_ipip_encap(struct net *net, struct sk_buff *skb,
			   struct rtable *rt, __be32 saddr, __be32 daddr)
{
	unsigned int room = LL_RESERVED_SPACE(rt->dst.dev) + sizeof(struct iphdr);
	const struct iphdr *inner = ip_hdr(skb);
	__be16 df = inner->frag_off & htons(IP_DF);
	u8 tos = inner->tos;
	struct iphdr *iph;

	if (skb_cow_head(skb, room))
		return -ENOMEM;
	if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP4))
		return -ENOMEM;
	skb_set_inner_ipproto(skb, IPPROTO_IPIP);

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = df;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_IPIP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	ip_select_ident(net, skb, NULL);
	ip_send_check(iph);
	return 0;
}

unsigned int nfvs_xmit_tun(struct net *net, struct nfvs_conn *cp,
			   struct sk_buff *skb)
{
	struct rtable *rt;
	__be32 saddr;
	bool local;

	rt = nfvs_conn_route(net, cp, false, &saddr, &local);
	if (!rt)
		return local ? NF_ACCEPT : NF_DROP;
	if (nfvs_forward_check(net, skb,
			       dst_mtu(&rt->dst) - sizeof(struct iphdr)) ||
	    nfvs_ipip_encap(net, skb, rt, saddr, cp->daddr.ip)) {
		ip_rt_put(rt);
		return NF_DROP;
	}
	return nfvs_send(net, cp, skb, rt);
}
