// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: a client's packet to a virtual service finds its
 * connection (or, if it may open one, gets a destination from the
 * service's scheduler), moves the connection's state on, and is
 * transmitted by the destination's forwarding method. NAT replies of real
 * servers are translated back on their way through FORWARD.
 */
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ip.h>

#include "app.h"
#include "conn.h"
#include "core.h"
#include "netns.h"
#include "nfct.h"
#include "persist.h"
#include "proto_tcp.h"
#include "sched.h"
#include "service.h"

bool nfvs_pkt_parse(const struct sk_buff *skb, struct nfvs_pkt *p)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	const struct udphdr *uh;
	struct tcphdr _th;
	struct udphdr _uh;

	if (ip_is_fragment(iph))
		return false;
	memset(p, 0, sizeof(*p));
	p->protocol = iph->protocol;
	p->l4off = ip_hdrlen(skb);
	p->saddr.ip = iph->saddr;
	p->daddr.ip = iph->daddr;
	switch (p->protocol) {
	case IPPROTO_TCP:
		th = skb_header_pointer(skb, p->l4off, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(*th) / 4)
			return false;
		p->th = *th;
		p->sport = th->source;
		p->dport = th->dest;
		return true;
	case IPPROTO_UDP:
		uh = skb_header_pointer(skb, p->l4off, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		p->sport = uh->source;
		p->dport = uh->dest;
		return true;
	}
	return false;
}

static struct nfvs_service *nfvs_service_for(struct nfvs_net *nn,
					     const struct sk_buff *skb,
					     const struct nfvs_pkt *p)
{
	struct nfvs_service_conf c = { .af = AF_INET };
	struct nfvs_service *svc;

	if (skb->mark) {
		c.fwmark = skb->mark;
		svc = nfvs_service_find(nn, &c);
		if (svc)
			return svc;
		c.fwmark = 0;
	}
	c.protocol = p->protocol;
	c.addr = p->daddr;
	c.port = p->dport;
	svc = nfvs_service_find(nn, &c);
	if (svc || !p->dport)
		return svc;
	/* A persistent service on port 0 takes every port of its address. */
	c.port = 0;
	return nfvs_service_find(nn, &c);
}

/* May the packet open a connection: a TCP SYN without ACK, any UDP. */
static bool nfvs_pkt_opens(const struct nfvs_pkt *p)
{
	return p->protocol != IPPROTO_TCP ||
	       (p->th.syn && !p->th.ack && !p->th.rst && !p->th.fin);
}

/* A connection for a packet that may open one, or NULL and a verdict. */
static struct nfvs_conn *nfvs_schedule(struct nfvs_net *nn,
				       struct sk_buff *skb,
				       const struct nfvs_pkt *p,
				       unsigned int *verdict)
{
	struct nfvs_flow flow = {
		.af = AF_INET, .protocol = p->protocol,
		.saddr = p->saddr, .daddr = p->daddr,
		.sport = p->sport, .dport = p->dport,
	};
	struct nfvs_conn *cp, *tpl = NULL;
	struct nfvs_conn_param param;
	struct nfvs_scheduler *sched;
	struct nfvs_service *svc;
	struct nfvs_dest *dest;

	*verdict = NF_ACCEPT;
	if (!nfvs_pkt_opens(p))
		return NULL;
	svc = nfvs_service_for(nn, skb, p);
	if (!svc)
		return NULL;

	*verdict = NF_DROP;
	if (svc->flags & NFVS_SVC_F_PERSISTENT) {
		dest = nfvs_persist_schedule(nn, svc, skb, &flow, &tpl);
	} else {
		sched = rcu_dereference(svc->sched);
		dest = sched ? sched->schedule(svc, skb, &flow) : NULL;
	}
	if (!dest)
		return NULL;

	param = (struct nfvs_conn_param) {
		.key = nfvs_client_key(&p->saddr, p->sport, p->protocol),
		.vaddr = p->daddr,
		.vport = p->dport,
		.daddr = dest->addr,
		.dport = dest->port ? dest->port : p->dport,
		.fwd = dest->fwd,
	};
	if ((svc->flags & NFVS_SVC_F_ONEPACKET) && p->protocol == IPPROTO_UDP)
		param.flags |= NFVS_CONN_F_ONE_PACKET;
	cp = nfvs_conn_new(nn, &param, dest, 2 * HZ);
	if (tpl) {
		if (cp)
			nfvs_conn_set_control(cp, tpl);
		nfvs_conn_put(tpl);
	}
	if (!cp)
		return NULL;
	nfvs_app_conn_init(cp, svc->app);
	nfvs_stats_conn(&svc->stats);
	nfvs_stats_conn(&dest->stats);
	nfvs_stats_conn(&nn->tot_stats);
	return cp;
}

/*
 * The connection of a packet that found none: the one another CPU made for
 * the same flow meanwhile (its first packets may be handled on two CPUs at
 * once), the data connection an FTP control connection announced, or a new
 * one; NULL and a verdict when there is none. @fresh: made here.
 */
static struct nfvs_conn *nfvs_conn_make(struct nfvs_net *nn,
					struct sk_buff *skb,
					const struct nfvs_pkt *p,
					const struct nfvs_conn_key *key,
					unsigned int *verdict, bool *fresh)
{
	spinlock_t *lock = nfvs_conn_new_lock(nn, key);
	struct nfvs_conn *cp;

	spin_lock_bh(lock);
	cp = nfvs_conn_in_get(nn, key, &p->daddr, p->dport);
	*fresh = !cp;
	if (!cp && atomic_read(&nn->conns.no_cport) && nfvs_pkt_opens(p))
		cp = nfvs_conn_claim(nn, key, &p->daddr, p->dport);
	if (!cp)
		cp = nfvs_schedule(nn, skb, p, verdict);
	spin_unlock_bh(lock);
	return cp;
}

/*
 * Moves the state on, keeps the destination's counters, restarts the
 * timer; returns the timeout.
 */
static unsigned long nfvs_conn_update(struct nfvs_net *nn,
				      struct nfvs_conn *cp,
				      const struct sk_buff *skb,
				      const struct nfvs_pkt *p,
				      enum nfvs_dir dir)
{
	unsigned long timeout;
	bool active;

	spin_lock_bh(&cp->lock);
	/* A data connection's first packet: no longer waiting. */
	if (cp->waiting) {
		cp->waiting = false;
		atomic_dec(&cp->control->n_waiting);
	}
	if (p->protocol == IPPROTO_TCP) {
		u8 next = nfvs_tcp_next_state(cp->state, dir, &p->th);

		/*
		 * Data after the handshake: more than a blind sender's SYN
		 * and ACK (from a NAT real server, proof that the handshake
		 * was real).
		 */
		if (!cp->proven && cp->state == NFVS_TCP_ESTABLISHED &&
		    skb->len > p->l4off + p->th.doff * 4)
			WRITE_ONCE(cp->proven, true);
		/*
		 * A bridged NAT connection's handshake ends when conntrack,
		 * which sees both sides, says it did: a blind ACK that it
		 * let through without moving its entry on leaves nfvs's
		 * connection in SYN_RECV as well.
		 */
		if (next == NFVS_TCP_ESTABLISHED &&
		    cp->state == NFVS_TCP_SYN_RECV &&
		    cp->fwd == NFVS_FWD_NAT && (cp->flags & NFVS_CONN_F_NFCT) &&
		    !nfvs_nfct_tcp_established(skb))
			next = cp->state;
		cp->state = next;
		timeout = nfvs_tcp_timeout(&nn->timeouts, cp->state);
		active = nfvs_tcp_state_active(cp->state);
	} else {
		/*
		 * The client spoke again after a reply (which only NAT
		 * sees): more than a datagram from a spoofed source that the
		 * real server answered.
		 */
		if (dir == NFVS_DIR_OUTPUT)
			cp->replied = true;
		else if (cp->replied && !cp->proven)
			WRITE_ONCE(cp->proven, true);
		timeout = (unsigned long)nn->timeouts.udp * HZ;
		active = false;
	}
	nfvs_conn_set_active(cp, active);
	nfvs_conn_rearm(cp, timeout);
	spin_unlock_bh(&cp->lock);
	return timeout;
}

static void nfvs_count(struct nfvs_net *nn, struct nfvs_conn *cp, bool in,
		       unsigned int len)
{
	if (cp->dest) {
		nfvs_stats_count(&cp->dest->stats, in, len);
		nfvs_stats_count(&cp->dest->svc->stats, in, len);
	}
	nfvs_stats_count(&nn->tot_stats, in, len);
}

enum nfvs_stale { NFVS_LIVE, NFVS_DROP, NFVS_REPLACE };

/*
 * Whether a packet continues its connection. Not when the connection's
 * real server was removed: its packets are dropped, or with
 * expire_nodest_conn the connection ends (and the packet may open
 * another). Not when a client reuses the port of a closed TCP connection
 * for a new one (conn_reuse_mode bit 1: TIME_WAIT and CLOSE; bit 2 also
 * FIN_WAIT of DR and TUN, the last state they see): the old connection
 * ends and the SYN is scheduled at once, never dropped.
 */
static enum nfvs_stale nfvs_conn_stale(struct nfvs_net *nn,
				       const struct nfvs_conn *cp,
				       const struct nfvs_pkt *p)
{
	int reuse;

	if (cp->dest && !READ_ONCE(cp->dest->available))
		return READ_ONCE(nn->sysctl.expire_nodest_conn) ?
		       NFVS_REPLACE : NFVS_DROP;
	if (p->protocol != IPPROTO_TCP || !nfvs_pkt_opens(p))
		return NFVS_LIVE;
	reuse = READ_ONCE(nn->sysctl.conn_reuse_mode);
	if (!(reuse & 1))
		return NFVS_LIVE;
	switch (READ_ONCE(cp->state)) {
	case NFVS_TCP_TIME_WAIT:
	case NFVS_TCP_CLOSE:
		return NFVS_REPLACE;
	case NFVS_TCP_FIN_WAIT:
		return (reuse & 2) && cp->fwd != NFVS_FWD_NAT ?
		       NFVS_REPLACE : NFVS_LIVE;
	}
	return NFVS_LIVE;
}

unsigned int nfvs_core_in(struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct nfvs_net *nn = nfvs_net(net);
	enum nfvs_stale stale;
	struct nfvs_conn_key key;
	unsigned long timeout;
	bool fresh = false;
	unsigned int verdict;
	struct nfvs_conn *cp;
	struct nfvs_pkt p;
	bool invalid;

	if (!READ_ONCE(nn->services.count))
		return NF_ACCEPT;
	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return nfvs_icmp_in(net, skb);
	if (!nfvs_pkt_parse(skb, &p))
		return NF_ACCEPT;
	/*
	 * What conntrack found INVALID changes nothing: it opens, ends and
	 * moves on no connection. A live connection's packet is still sent
	 * on (the firewall, before nfvs, had its say); another is left to
	 * the local stack, as every packet nfvs does not take.
	 */
	invalid = nfvs_nfct_invalid(nn, skb);
	key = nfvs_client_key(&p.saddr, p.sport, p.protocol);
	cp = nfvs_conn_in_get(nn, &key, &p.daddr, p.dport);
	if (cp) {
		stale = nfvs_conn_stale(nn, cp, &p);
		if (stale != NFVS_LIVE) {
			if (invalid) {
				nfvs_conn_put(cp);
				return NF_DROP;
			}
			if (stale == NFVS_REPLACE)
				nfvs_conn_expire_now(cp);
			nfvs_conn_put(cp);
			if (stale == NFVS_DROP)
				return NF_DROP;
			cp = NULL;
		}
	}
	if (!cp && invalid)
		return NF_ACCEPT;
	if (!cp) {
		cp = nfvs_conn_make(nn, skb, &p, &key, &verdict, &fresh);
		if (!cp)
			return verdict;
	}
	/* The bridge's choice is a connection's own, made when it began. */
	if ((fresh ? READ_ONCE(nn->sysctl.conntrack) :
		     cp->flags & NFVS_CONN_F_NFCT) &&
	    nfvs_nfct_in(cp, skb, state, fresh) != NF_ACCEPT) {
		if (fresh)
			nfvs_conn_expire_now(cp);
		nfvs_conn_put(cp);
		return NF_DROP;
	}

	if (!invalid) {
		timeout = nfvs_conn_update(nn, cp, skb, &p,
					   cp->fwd == NFVS_FWD_NAT ?
					   NFVS_DIR_INPUT : NFVS_DIR_INPUT_ONLY);
		nfvs_nfct_follow(cp, skb, timeout);
	}
	nfvs_count(nn, cp, true, skb->len);
	if (cp->app) {
		verdict = cp->app->in(nn, cp, skb, &p);
		if (verdict != NF_ACCEPT) {
			nfvs_conn_put(cp);
			return verdict;
		}
	}
	switch (cp->fwd) {
	case NFVS_FWD_NAT:
		verdict = nfvs_xmit_nat(net, cp, skb, &p);
		break;
	case NFVS_FWD_DROUTE:
		verdict = nfvs_xmit_dr(net, cp, skb);
		break;
	case NFVS_FWD_TUNNEL:
		verdict = nfvs_xmit_tun(net, cp, skb);
		break;
	default:
		/* A local node: the local stack has the packet. */
		verdict = NF_ACCEPT;
		break;
	}
	if (cp->flags & NFVS_CONN_F_ONE_PACKET)
		nfvs_conn_expire_now(cp);
	nfvs_conn_put(cp);
	return verdict;
}

/* Reassembles a fragmented packet in FORWARD: 0 when it is whole. */
static int nfvs_defrag(struct net *net, struct sk_buff *skb)
{
	int err;

	local_bh_disable();
	err = ip_defrag(net, skb, IP_DEFRAG_VS_FWD);
	local_bh_enable();
	if (!err)
		ip_send_check(ip_hdr(skb));
	return err;
}

unsigned int nfvs_core_out(struct net *net, struct sk_buff *skb)
{
	struct nfvs_net *nn = nfvs_net(net);
	struct nfvs_conn_key key;
	unsigned int verdict;
	struct nfvs_conn *cp;
	struct nfvs_pkt p;

	if (!atomic_read(&nn->conns.count))
		return NF_ACCEPT;
	/*
	 * A real server's reply may come in fragments: it is whole here. Only
	 * TCP and UDP, what nfvs balances: other transit traffic is none of
	 * its business and passes as it came.
	 */
	if (ip_is_fragment(ip_hdr(skb)) &&
	    (ip_hdr(skb)->protocol == IPPROTO_TCP ||
	     ip_hdr(skb)->protocol == IPPROTO_UDP)) {
		if (nfvs_defrag(net, skb))
			return NF_STOLEN;
	}
	if (!nfvs_pkt_parse(skb, &p))
		return NF_ACCEPT;
	key = nfvs_client_key(&p.daddr, p.dport, p.protocol);
	cp = nfvs_conn_out_get(nn, &key, &p.saddr, p.sport);
	/* A DR or TUN reply through the director as gateway, for a helper. */
	if (!cp && atomic_read(&nn->conns.apps)) {
		cp = nfvs_conn_in_get(nn, &key, &p.saddr, p.sport);
		if (cp && (cp->fwd == NFVS_FWD_NAT || !cp->app)) {
			nfvs_conn_put(cp);
			cp = NULL;
		}
	}
	if (!cp)
		return NF_ACCEPT;
	verdict = NF_ACCEPT;
	/* A connection the real server opens (FTP active data). */
	if (cp->fwd == NFVS_FWD_NAT && (cp->flags & NFVS_CONN_F_NFCT))
		verdict = nfvs_nfct_out(cp, skb);
	if (verdict == NF_ACCEPT && cp->fwd == NFVS_FWD_NAT) {
		/* A reply conntrack found INVALID is sent on as it is. */
		if (!nfvs_nfct_invalid(nn, skb))
			nfvs_nfct_follow(cp, skb,
					 nfvs_conn_update(nn, cp, skb, &p,
							  NFVS_DIR_OUTPUT));
		nfvs_count(nn, cp, false, skb->len);
		verdict = nfvs_unnat_reply(cp, skb, &p);
	}
	if (verdict == NF_ACCEPT && cp->app)
		verdict = cp->app->out(nn, cp, skb, &p);
	nfvs_conn_put(cp);
	return verdict;
}
