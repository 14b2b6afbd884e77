// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about nfvs connections. An error is found by the packet it
 * quotes: the client's packet towards a real server (an error from the
 * real server's side, seen in FORWARD on its way to the client) or a reply
 * from the virtual service (an error from the client's side, addressed to
 * the virtual address, seen in LOCAL_IN). For NAT both are translated, the
 * quoted packet included; from the client's side they then go to the real
 * server by the connection's forwarding method.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>

#include "conn.h"
#include "core.h"
#include "netns.h"

/* An ICMP error and the TCP or UDP packet it quotes. */
struct nfvs_icmp_err {
	unsigned int icmp_off;		/* the ICMP header */
	unsigned int quoted_off;	/* the quoted IP header */
	struct nfvs_pkt quoted;		/* addresses, ports, their offset */
};

static bool nfvs_icmp_parse(const struct sk_buff *skb, struct nfvs_icmp_err *e)
{
	const struct iphdr *qh;
	const struct icmphdr *ih;
	const __be16 *ports;
	struct icmphdr _ih;
	struct iphdr _qh;
	__be16 _ports[2];

	if (ip_is_fragment(ip_hdr(skb)))
		return false;
	e->icmp_off = ip_hdrlen(skb);
	ih = skb_header_pointer(skb, e->icmp_off, sizeof(_ih), &_ih);
	if (!ih || !icmp_is_err(ih->type))
		return false;
	e->quoted_off = e->icmp_off + sizeof(_ih);
	qh = skb_header_pointer(skb, e->quoted_off, sizeof(_qh), &_qh);
	/* Only the first fragment of a packet quotes its ports. */
	if (!qh || qh->version != 4 || qh->ihl < 5 ||
	    (qh->frag_off & htons(IP_OFFSET)) ||
	    (qh->protocol != IPPROTO_TCP && qh->protocol != IPPROTO_UDP))
		return false;
	e->quoted.protocol = qh->protocol;
	e->quoted.l4off = e->quoted_off + qh->ihl * 4;
	ports = skb_header_pointer(skb, e->quoted.l4off, sizeof(_ports), _ports);
	if (!ports)
		return false;
	memset(&e->quoted.saddr, 0, sizeof(e->quoted.saddr));
	memset(&e->quoted.daddr, 0, sizeof(e->quoted.daddr));
	e->quoted.saddr.ip = qh->saddr;
	e->quoted.daddr.ip = qh->daddr;
	e->quoted.sport = ports[0];
	e->quoted.dport = ports[1];
	return true;
}

/*
 * Translates an error about a NAT connection. To the client: the quoted
 * packet went to the real server, it now went to the virtual service, and
 * an error the real server sent itself comes from the virtual address. To
 * the real server: the quoted packet came from the virtual service, it now
 * came from the real server, and the error goes to the real server. The
 * quoted TCP or UDP checksum follows when it was quoted; the ICMP checksum
 * is computed anew. -EINVAL for an error whose checksum is wrong.
 */
static int nfvs_icmp_nat(struct sk_buff *skb, const struct nfvs_icmp_err *e,
			 const struct nfvs_conn *cp, bool to_client)
{
	unsigned int csum_off = e->quoted.protocol == IPPROTO_TCP ?
				offsetof(struct tcphdr, check) :
				offsetof(struct udphdr, check);
	__be32 from = to_client ? cp->daddr.ip : cp->vaddr.ip;
	__be32 to = to_client ? cp->vaddr.ip : cp->daddr.ip;
	__be16 port = to_client ? cp->vport : cp->dport;
	struct icmphdr *ih;
	struct iphdr *iph, *qh;
	__be32 *qaddr;
	__be16 *qport;
	__sum16 *qsum;

	/*
	 * The ICMP checksum is made anew below: an error that came corrupt
	 * would leave valid. It is checked first, and a bad one dropped, as
	 * in-tree IPVS does.
	 */
	if (!skb_csum_unnecessary(skb) &&
	    csum_fold(skb_checksum(skb, e->icmp_off, skb->len - e->icmp_off, 0)))
		return -EINVAL;
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	ih = (void *)iph + e->icmp_off;
	qh = (void *)iph + e->quoted_off;
	qport = (__be16 *)((void *)iph + e->quoted.l4off) + !!to_client;
	qaddr = to_client ? &qh->daddr : &qh->saddr;

	if (e->quoted.l4off + csum_off + sizeof(*qsum) <= skb->len) {
		qsum = (void *)iph + e->quoted.l4off + csum_off;
		if (e->quoted.protocol == IPPROTO_TCP || *qsum) {
			csum_replace4(qsum, *qaddr, to);
			csum_replace2(qsum, *qport, port);
		}
	}
	csum_replace4(&qh->check, *qaddr, to);
	*qaddr = to;
	*qport = port;

	if (!to_client) {
		csum_replace4(&iph->check, iph->daddr, to);
		iph->daddr = to;
	} else if (iph->saddr == from) {
		csum_replace4(&iph->check, iph->saddr, to);
		iph->saddr = to;
	}
	ih->checksum = 0;
	ih->checksum = csum_fold(skb_checksum(skb, e->icmp_off,
					      skb->len - e->icmp_off, 0));
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return 0;
}

/*
 * The connection an ICMP error is about, referenced, or NULL. From the
 * client's side it quotes a reply (virtual service -> client), from the
 * real server's side a packet of the client (client -> real server).
 */
static struct nfvs_conn *nfvs_icmp_conn(struct net *net,
					const struct sk_buff *skb,
					struct nfvs_icmp_err *e,
					bool from_client)
{
	struct nfvs_net *nn = nfvs_net(net);
	const struct nfvs_pkt *q = &e->quoted;
	struct nfvs_conn_key key;

	if (!atomic_read(&nn->conns.count) || !nfvs_icmp_parse(skb, e))
		return NULL;
	if (from_client) {
		key = nfvs_client_key(&q->daddr, q->dport, q->protocol);
		return nfvs_conn_in_get(nn, &key, &q->saddr, q->sport);
	}
	key = nfvs_client_key(&q->saddr, q->sport, q->protocol);
	return nfvs_conn_out_get(nn, &key, &q->daddr, q->dport);
}

/* From the real server's side, in FORWARD: to the client, translated. */
unsigned int nfvs_icmp_forward(struct net *net, struct sk_buff *skb)
{
	unsigned int verdict = NF_ACCEPT;
	struct nfvs_icmp_err e;
	struct nfvs_conn *cp;

	if (ip_hdr(skb)->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	cp = nfvs_icmp_conn(net, skb, &e, false);
	if (!cp)
		return NF_ACCEPT;
	if (cp->fwd == NFVS_FWD_NAT) {
		if (nfvs_icmp_nat(skb, &e, cp, true))
			verdict = NF_DROP;
		else
			nfvs_track(cp, skb);
	}
	nfvs_conn_put(cp);
	return verdict;
}

static unsigned int nfvs_icmp_to_server(struct net *net, struct nfvs_conn *cp,
					struct sk_buff *skb,
					const struct nfvs_icmp_err *e)
{
	struct rtable *rt;
	bool local;

	switch (cp->fwd) {
	case NFVS_FWD_DROUTE:
		return nfvs_xmit_dr(net, cp, skb);
	case NFVS_FWD_TUNNEL:
		return nfvs_xmit_tun(net, cp, skb);
	case NFVS_FWD_NAT:
		break;
	default:
		return NF_ACCEPT;
	}
	rt = nfvs_conn_route(net, cp, false, NULL, &local);
	if (!rt)
		return local ? NF_ACCEPT : NF_DROP;
	if (nfvs_forward_check(net, skb, dst_mtu(&rt->dst)) ||
	    nfvs_icmp_nat(skb, e, cp, false)) {
		ip_rt_put(rt);
		return NF_DROP;
	}
	return nfvs_send(net, cp, skb, rt);
}

/* From the client's side, to the virtual address: to the real server. */
unsigned int nfvs_icmp_in(struct net *net, struct sk_buff *skb)
{
	struct nfvs_icmp_err e;
	unsigned int verdict;
	struct nfvs_conn *cp;

	cp = nfvs_icmp_conn(net, skb, &e, true);
	if (!cp)
		return NF_ACCEPT;
	verdict = nfvs_icmp_to_server(net, cp, skb, &e);
	nfvs_conn_put(cp);
	return verdict;
}
