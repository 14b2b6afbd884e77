// SPDX-License-Identifier: GPL-2.0
/*
 * Transmission by NAT: the client's packet gets the real server's address
 * and port and is sent on its way from LOCAL_IN; the real server's reply
 * gets the virtual service's address and port back in FORWARD, and is
 * routed again from there when snat_reroute says so.
 */
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>

#include "conn.h"
#include "core.h"
#include "netns.h"

/* Rewrites one address and port of the packet, with all its checksums. */
static int nfvs_rewrite(struct sk_buff *skb, const struct nfvs_pkt *p,
			bool dst, __be32 addr, __be16 port)
{
	unsigned int l4len = p->protocol == IPPROTO_TCP ?
			     sizeof(struct tcphdr) : sizeof(struct udphdr);
	__be32 *old_addr;
	__be16 *old_port;
	__sum16 *check;
	struct iphdr *iph;

	if (skb_ensure_writable(skb, p->l4off + l4len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	if (p->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)iph + p->l4off;

		old_port = dst ? &th->dest : &th->source;
		check = &th->check;
	} else {
		struct udphdr *uh = (void *)iph + p->l4off;

		old_port = dst ? &uh->dest : &uh->source;
		check = &uh->check;
	}
	old_addr = dst ? &iph->daddr : &iph->saddr;

	if (p->protocol == IPPROTO_TCP || *check) {
		inet_proto_csum_replace4(check, skb, *old_addr, addr, true);
		inet_proto_csum_replace2(check, skb, *old_port, port, false);
		if (p->protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	csum_replace4(&iph->check, *old_addr, addr);
	*old_addr = addr;
	*old_port = port;
	return 0;
}

unsigned int nfvs_xmit_nat(struct net *net, struct nfvs_conn *cp,
			   struct sk_buff *skb, const struct nfvs_pkt *p)
{
	struct rtable *rt;
	bool local;

	rt = nfvs_conn_route(net, cp, false, NULL, &local);
	if (!rt) {
		/*
		 * A local real server on the service's own port is a local
		 * node; on another port its replies could not be translated
		 * back (nfvs does not hook LOCAL_OUT).
		 */
		return local && cp->dport == cp->vport ? NF_ACCEPT : NF_DROP;
	}
	if (nfvs_forward_check(net, skb, dst_mtu(&rt->dst)) ||
	    nfvs_rewrite(skb, p, true, cp->daddr.ip, cp->dport)) {
		ip_rt_put(rt);
		return NF_DROP;
	}
	skb_forward_csum(skb);
	return nfvs_send(net, cp, skb, rt);
}

unsigned int nfvs_unnat_reply(struct nfvs_conn *cp, struct sk_buff *skb,
			      const struct nfvs_pkt *p)
{
	if (nfvs_rewrite(skb, p, false, cp->vaddr.ip, cp->vport))
		return NF_DROP;
	/*
	 * snat_reroute (IPVS's default): the reply now comes from the VIP,
	 * which source-based routing rules may send another way than the
	 * route it was forwarded by.
	 */
	if (READ_ONCE(cp->nn->sysctl.snat_reroute) &&
	    ip_route_me_harder(cp->nn->net, NULL, skb, RTN_LOCAL))
		return NF_DROP;
	nfvs_track(cp, skb);
	return NF_ACCEPT;
}
