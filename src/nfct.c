// SPDX-License-Identifier: GPL-2.0
/*
 * The conntrack bridge (net.nfvs.conntrack=1): a connection nfvs makes gets
 * a confirmed conntrack entry that is right for its forwarding method.
 *
 * NAT: the entry's reply is the real server's answer (real server ->
 * client), so replies match ESTABLISHED in FORWARD.
 *
 * DR and TUN: the director may never see a reply. The entry is made valid
 * for the client's direction alone, on the first SYN, before the client's
 * handshake ACK is classified: the TCP tracker is ESTABLISHED and liberal
 * about windows in both directions, and the entry has seen its reply. When
 * replies do come through the director, conntrack takes them as they are.
 * Such an entry would live for conntrack's ESTABLISHED timeout (days); it
 * follows nfvs's timeouts instead, because nfvs deletes it when its own
 * connection expires. It is not ASSURED (early drop may evict it) until
 * the client sent data after its handshake (nfvs_nfct_follow).
 *
 * nfvs steals packets before conntrack's confirm hooks run, so it confirms
 * the entry itself. A first packet that comes with a confirmed entry (a
 * client port reused while conntrack still had the old connection) gets a
 * fresh one, in the same zone, rather than being dropped.
 */
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <uapi/linux/nfvs.h>

#include "conn.h"
#include "core.h"
#include "netns.h"
#include "nfct.h"

/* How much longer than its connection a one-way entry lives. */
#define NFVS_NFCT_SLACK (5 * HZ)
#define NFVS_NFCT_TIMEOUT_MAX (S32_MAX - 2 * NFVS_NFCT_SLACK)

/* A new entry for the packet, in the zone of the entry it had. */
static struct nf_conn *nfvs_nfct_retrack(struct nf_conn *old,
					 struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct nf_conntrack_zone zone = *nf_ct_zone(old);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *tmpl = NULL;

	nf_ct_kill(old);
	if (!nf_ct_zone_equal_any(old, &nf_ct_zone_dflt)) {
		tmpl = nf_ct_tmpl_alloc(state->net, &zone, GFP_ATOMIC);
		if (!tmpl)
			return NULL;
	}
	nf_reset_ct(skb);
	if (tmpl)
		nf_ct_set(skb, tmpl, IP_CT_NEW);
	if (nf_conntrack_in(skb, state) != NF_ACCEPT)
		return NULL;
	return nf_ct_get(skb, &ctinfo);
}

/* Valid for the client's direction alone (DR, TUN). */
static void nfvs_nfct_one_way(struct nf_conn *ct)
{
	if (nf_ct_protonum(ct) == IPPROTO_TCP) {
		spin_lock_bh(&ct->lock);
		ct->proto.tcp.state = TCP_CONNTRACK_ESTABLISHED;
		ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags |=
			IP_CT_TCP_FLAG_BE_LIBERAL;
		ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |=
			IP_CT_TCP_FLAG_BE_LIBERAL;
		spin_unlock_bh(&ct->lock);
	}
	set_bit(IPS_SEEN_REPLY_BIT, &ct->status);
}

/* Confirms the packet's entry; with nfvs's helper it holds cp from now. */
static unsigned int nfvs_nfct_confirm(struct nfvs_conn *cp,
				      struct sk_buff *skb, bool helped)
{
	unsigned int verdict = nf_conntrack_confirm(skb);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	/* A clash may have given the packet an older entry: bind the one it has. */
	ct = nf_ct_get(skb, &ctinfo);
	if (verdict == NF_ACCEPT && helped && ct) {
		nfvs_nfct_bind(ct, cp);
		/*
		 * The connection ended while its packet was on the way here
		 * (its old entry deleted, then its timer): nfvs_nfct_kill()
		 * found no entry then, and this one, bound to a connection
		 * that is gone, would stay for a whole timeout.
		 */
		if (READ_ONCE(cp->unhashed))
			nf_ct_kill(ct);
	}
	return verdict;
}

unsigned int nfvs_nfct_in(struct nfvs_conn *cp, struct sk_buff *skb,
			  const struct nf_hook_state *state, bool fresh)
{
	struct nf_conntrack_tuple reply;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool helped;

	ct = nf_ct_get(skb, &ctinfo);
	/* Conntrack does not run in this namespace. */
	if (!ct || ctinfo == IP_CT_UNTRACKED)
		return NF_ACCEPT;
	if (nf_ct_is_confirmed(ct)) {
		if (!fresh)
			return NF_ACCEPT;
		ct = nfvs_nfct_retrack(ct, skb, state);
		if (!ct)
			return NF_DROP;
	}
	/*
	 * A new entry: for a new connection, or for a live one whose entry
	 * was deleted (conntrack -D, a flush) and that conntrack made anew.
	 */
	if (fresh) {
		cp->zone = *nf_ct_zone(ct);
		cp->flags |= NFVS_CONN_F_NFCT;
	}
	helped = nfvs_nfct_helper_add(ct);
	/* A helper that rewrites (FTP, NAT) moves the stream's numbers. */
	if (fresh && cp->app && cp->fwd == NFVS_FWD_NAT)
		nfct_seqadj_ext_add(ct);
	if (cp->fwd == NFVS_FWD_NAT) {
		reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		reply.src.u3.ip = cp->daddr.ip;
		reply.src.u.all = cp->dport;
		nf_conntrack_alter_reply(ct, &reply);
	} else {
		nfvs_nfct_one_way(ct);
	}
	return nfvs_nfct_confirm(cp, skb, helped);
}

/*
 * The first packet of a NAT connection the real server opens (an FTP data
 * connection in active mode), in FORWARD: the entry's reply is the
 * client's answer to the virtual address, and nfvs confirms it now.
 */
unsigned int nfvs_nfct_out(struct nfvs_conn *cp, struct sk_buff *skb)
{
	struct nf_conntrack_tuple reply;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool helped;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo == IP_CT_UNTRACKED || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	reply.dst.u3.ip = cp->vaddr.ip;
	reply.dst.u.all = cp->vport;
	nf_conntrack_alter_reply(ct, &reply);
	helped = nfvs_nfct_helper_add(ct);
	return nfvs_nfct_confirm(cp, skb, helped);
}

/*
 * An entry lives a little longer than its connection, whose end deletes
 * it, rather than by conntrack's timeouts: a one-way entry (DR, TUN) would
 * die after 5 minutes of unacknowledged data, a UDP one after conntrack's
 * 30 or 120 seconds, under a live connection (and, since its deletion ends
 * the connection, take that with it). Packets through conntrack set their
 * own timeout first; nfvs's hooks come after.
 */
void nfvs_nfct_follow(const struct nfvs_conn *cp, struct sk_buff *skb,
		      unsigned long timeout)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	if (!(cp->flags & NFVS_CONN_F_NFCT))
		return;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !nf_ct_is_confirmed(ct))
		return;
	/*
	 * A one-way entry has "seen its reply" (its packets are ESTABLISHED
	 * to the firewall), so conntrack makes it ASSURED at its second
	 * packet: two spoofed packets would make an entry that early drop
	 * may not evict, and a flood of them would fill the table for
	 * everyone. It stays evictable until the client sent data after its
	 * handshake (TCP); a UDP one stays evictable.
	 */
	if (cp->fwd != NFVS_FWD_NAT && !READ_ONCE(cp->proven) &&
	    test_bit(IPS_ASSURED_BIT, &ct->status))
		clear_bit(IPS_ASSURED_BIT, &ct->status);
	if (test_bit(IPS_FIXED_TIMEOUT_BIT, &ct->status))
		return;
	/*
	 * ct->timeout is a 32-bit jiffies stamp that conntrack compares as
	 * signed: a timeout near INT_MAX / HZ seconds plus the slack would
	 * wrap, and the entry would be born expired.
	 */
	timeout = min_t(unsigned long, timeout, NFVS_NFCT_TIMEOUT_MAX);
	WRITE_ONCE(ct->timeout, nfct_time_stamp + timeout + NFVS_NFCT_SLACK);
}

/*
 * Conntrack runs for the bridge and left no entry on the packet: it took
 * it for INVALID (a bad checksum, an RST or a segment outside the window,
 * a flag combination TCP does not allow). Such a packet is conntrack's
 * to judge and the firewall's to pass or drop; it must not move nfvs's
 * connection on, or an RST conntrack rejected would close the connection
 * and, 10 s later, delete its valid entry.
 */
bool nfvs_nfct_invalid(const struct nfvs_net *nn, const struct sk_buff *skb)
{
	return READ_ONCE(nn->conntrack_held) && !skb_nfct(skb);
}

/*
 * Whether conntrack holds the packet's TCP connection for established (or
 * later). It lets through an ACK that acknowledges more than the server
 * sent (NFCT_TCP_IGNORE), a blind sender's guess, and leaves its entry
 * in SYN_RECV. A packet without an entry is not conntrack's to judge.
 */
bool nfvs_nfct_tcp_established(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo == IP_CT_UNTRACKED ||
	    nf_ct_protonum(ct) != IPPROTO_TCP)
		return true;
	return READ_ONCE(ct->proto.tcp.state) >= TCP_CONNTRACK_ESTABLISHED;
}

/*
 * Whether the packet's conntrack entry is the bridge's, for a connection
 * of nfvs: in-tree IPVS marks its packets as nfvs does (ipvs_property, which
 * "-m ipvs" matches), and nfvs_post_routing must let in-tree's pass on to
 * SNAT and conntrack's confirmation. The entry's client-side tuple names
 * the connection: its original for a connection the client opened, its
 * reply for one a real server opened (an FTP active data connection).
 * Untracked packets (the bridge off) are nobody's: SNAT and confirmation
 * leave them alone anyway.
 */
bool nfvs_nfct_sent(struct net *net, const struct sk_buff *skb)
{
	struct nfvs_net *nn = nfvs_net(net);
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	struct nfvs_conn_key key;
	struct nfvs_conn *cp;
	struct nf_conn *ct;
	bool ours;
	int dir;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct)
		return false;
	for (dir = IP_CT_DIR_ORIGINAL; dir < IP_CT_DIR_MAX; dir++) {
		t = &ct->tuplehash[dir].tuple;
		key = nfvs_client_key(&t->src.u3, t->src.u.all,
				      t->dst.protonum);
		cp = nfvs_conn_in_get(nn, &key, &t->dst.u3, t->dst.u.all);
		if (!cp)
			continue;
		ours = cp->flags & NFVS_CONN_F_NFCT;
		nfvs_conn_put(cp);
		return ours;
	}
	return false;
}

/* Deletes the entry of a connection that ended, found in its own zone. */
void nfvs_nfct_kill(struct nfvs_conn *cp)
{
	struct nf_conntrack_tuple tuple = {
		.src.l3num = NFPROTO_IPV4,
		.src.u3 = cp->key.caddr,
		.src.u.all = cp->key.cport,
		.dst.u3 = cp->vaddr,
		.dst.u.all = cp->vport,
		.dst.protonum = cp->key.protocol,
		.dst.dir = IP_CT_DIR_ORIGINAL,
	};
	const struct nf_conntrack_tuple *server;
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	h = nf_conntrack_find_get(cp->nn->net, &cp->zone, &tuple);
	if (!h)
		return;
	ct = nf_ct_tuplehash_to_ctrack(h);
	/*
	 * The real server's side: the reply of an entry the client opened,
	 * the original of one the real server opened (an FTP active data
	 * connection, found by its reply). Not the entry of a later
	 * connection from the same client port to another real server.
	 */
	server = &ct->tuplehash[!NF_CT_DIRECTION(h)].tuple;
	if (cp->fwd != NFVS_FWD_NAT ||
	    (server->src.u3.ip == cp->daddr.ip &&
	     server->src.u.all == cp->dport))
		nf_ct_kill(ct);
	nfvs_nfct_unbind_orphan(ct, cp);
	nf_ct_put(ct);
}
