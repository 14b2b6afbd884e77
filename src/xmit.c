// SPDX-License-Identifier: GPL-2.0
/*
 * Transmission: what every forwarding method shares. A client's packet is
 * routed towards its real server, checked like a forwarded packet (TTL,
 * path MTU with frag-needed back to the client) and sent on its way from
 * LOCAL_IN through LOCAL_OUT. Packets nfvs sent are marked, and
 * nfvs_post_routing passes them on before SNAT and MASQUERADE (priority
 * 100) can rewrite them. A real server that is a local address is a local
 * node: its packets stay on their way to the local stack.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "conn.h"
#include "core.h"

void nfvs_mark_sent(struct sk_buff *skb)
{
	skb->ipvs_property = 1;
}

bool nfvs_was_sent(const struct sk_buff *skb)
{
	return skb->ipvs_property;
}

/* With the conntrack bridge off, nfvs traffic stays out of conntrack. */
void nfvs_untrack(struct sk_buff *skb)
{
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

/*
 * The route to a real server, or NULL. Direct routing and ICMP errors for
 * it send the packet unchanged, addressed to the virtual address, so the
 * next hop must be the real server itself (FLOWI_FLAG_KNOWN_NH). *local
 * says the real server is this host; then no route is returned.
 */
struct rtable *nfvs_route(struct net *net, __be32 daddr, bool known_nh,
			  __be32 *saddr, bool *local)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.flowi4_flags = known_nh ? FLOWI_FLAG_KNOWN_NH : 0,
	};
	struct rtable *rt;

	*local = false;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return NULL;
	if (rt->rt_flags & RTCF_LOCAL) {
		ip_rt_put(rt);
		*local = true;
		return NULL;
	}
	if (saddr)
		*saddr = fl4.saddr;
	return rt;
}

static bool nfvs_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || skb->len <= mtu)
		return false;
	return !skb_is_gso(skb) || !skb_gso_validate_network_len(skb, mtu);
}

/*
 * What a router does to a packet it forwards: the TTL goes down by one (a
 * packet at its last hop dies with time-exceeded), and a packet that may
 * not be fragmented and does not fit the path (mtu, after any
 * encapsulation) is answered with frag-needed.
 */
int nfvs_forward_check(struct net *net, struct sk_buff *skb, unsigned int mtu)
{
	if (ip_hdr(skb)->ttl <= 1) {
		__IP_INC_STATS(net, IPSTATS_MIB_INHDRERRORS);
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return -EHOSTUNREACH;
	}
	if (nfvs_too_big(skb, mtu)) {
		__IP_INC_STATS(net, IPSTATS_MIB_FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		return -EMSGSIZE;
	}
	if (skb_ensure_writable(skb, sizeof(struct iphdr)))
		return -ENOMEM;
	ip_decrease_ttl(ip_hdr(skb));
	/*
	 * Taking the packet for local delivery, the stack wrote this host
	 * into its record route or timestamp option and left the header
	 * checksum as it was (a router's forwarding path computes it again
	 * after ip_forward_options): the next hop would drop it. The header
	 * was verified on receipt, so a fresh checksum passes no damage on.
	 */
	if (IPCB(skb)->opt.is_changed)
		ip_send_check(ip_hdr(skb));
	return 0;
}

/*
 * A connection's packet keeps its conntrack entry with the conntrack
 * bridge, and goes without one otherwise. Either way nfvs_post_routing
 * will pass it on.
 */
void nfvs_track(const struct nfvs_conn *cp, struct sk_buff *skb)
{
	if (!(cp->flags & NFVS_CONN_F_NFCT))
		nfvs_untrack(skb);
	nfvs_mark_sent(skb);
}

/* Sends a packet on route rt (whose reference it takes) and steals it. */
unsigned int nfvs_send(struct net *net, const struct nfvs_conn *cp,
		       struct sk_buff *skb, struct rtable *rt)
{
	skb_orphan(skb);
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	nfvs_track(cp, skb);
	NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, net, NULL, skb, NULL,
		rt->dst.dev, dst_output);
	return NF_STOLEN;
}

/* Direct routing: the packet as it came, to the real server's address. */
unsigned int nfvs_xmit_dr(struct net *net, struct nfvs_conn *cp,
			  struct sk_buff *skb)
{
	struct rtable *rt;
	bool local;

	rt = nfvs_conn_route(net, cp, true, NULL, &local);
	if (!rt)
		return local ? NF_ACCEPT : NF_DROP;
	if (nfvs_forward_check(net, skb, dst_mtu(&rt->dst))) {
		ip_rt_put(rt);
		return NF_DROP;
	}
	return nfvs_send(net, cp, skb, rt);
}
