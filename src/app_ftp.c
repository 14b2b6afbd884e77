// SPDX-License-Identifier: GPL-2.0
/*
 * FTP on a virtual service (TCP port 21): the data connections a control
 * connection announces go to the control connection's real server, and
 * with the conntrack bridge they are RELATED.
 *
 * The client's PORT and EPRT (active mode) and the server's 227 and 229
 * replies (passive mode; NAT, or DR and TUN when the director is the real
 * servers' gateway) each make a data connection bound to the control
 * connection: active ones with the client's port, passive ones with any
 * client port until the client connects. An address that is not the
 * peer's is ignored. NAT rewrites the real server's address in a 227 to
 * the virtual one and keeps the control stream's sequence numbers right
 * from then on: conntrack's seqadj with the bridge, nfvs's own without.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/tcp.h>
#include <uapi/linux/nfvs.h>

#include "app.h"
#include "conn.h"
#include "core.h"
#include "ftp_parse.h"
#include "netns.h"
#include "nfct.h"
#include "tcp_mangle.h"

enum { NFVS_FTP_CLIENT, NFVS_FTP_SERVER };

struct nfvs_ftp_conn {
	struct nfvs_ftp_stream stream[2];
	struct nfvs_seqadj seq;		/* the server's stream, without conntrack */
};

/* What one packet's lines ask for, done once the lines are read. */
struct nfvs_ftp_work {
	const struct nfvs_conn *cp;
	int dir;
	unsigned int dlen;
	bool found;
	/* A data connection: the client's port for active mode, else 0. */
	bool bind;
	__be16 cport;
	__be16 port;			/* the server's (vport) data port */
	/* A NAT 227 whose address is rewritten. */
	bool rewrite;
	unsigned int off, len;
};

static int nfvs_ftp_line(void *arg, const char *line, size_t len, int off,
			 bool fresh)
{
	struct nfvs_ftp_work *w = arg;
	const struct nfvs_conn *cp = w->cp;
	struct nfvs_ftp_match m;
	__be32 peer;

	/* One announcement per packet; later lines are still read. */
	if (w->found ||
	    !nfvs_ftp_parse_line(line, len, w->dir == NFVS_FTP_CLIENT, &m))
		return 0;
	switch (m.cmd) {
	case NFVS_FTP_PORT:
	case NFVS_FTP_EPRT:
		/* Data to the client itself, never to a third party. */
		if (m.addr != cp->key.caddr.ip)
			return 0;
		w->found = true;
		w->bind = fresh;
		w->cport = m.port;
		w->port = htons(ntohs(cp->vport) - 1);
		return 0;
	case NFVS_FTP_PASV:
		/* NAT: the real server's address; else the virtual one. */
		peer = cp->fwd == NFVS_FWD_NAT ? cp->daddr.ip : cp->vaddr.ip;
		if (m.addr != peer)
			return 0;
		if (cp->fwd == NFVS_FWD_NAT) {
			/* Only a line whole in this packet can be rewritten. */
			if (off < 0)
				return 0;
			w->rewrite = true;
			w->off = off + m.off;
			w->len = m.len;
		}
		fallthrough;
	case NFVS_FTP_EPSV:
		w->found = true;
		w->bind = fresh;
		w->cport = 0;
		w->port = m.port;
		return 0;
	default:
		return 0;
	}
}

/* Reads the packet's lines, in stream order, under the connection's lock. */
static void nfvs_ftp_read(struct nfvs_conn *cp, struct nfvs_ftp_work *w,
			  const char *data, u32 seq)
{
	struct nfvs_ftp_conn *fc = cp->app_data;

	nfvs_ftp_stream_feed(&fc->stream[w->dir], seq, data, w->dlen,
			     nfvs_ftp_line, w);
}

/* The data connection, bound to the control connection's real server. */
static void nfvs_ftp_bind(struct nfvs_net *nn, struct nfvs_conn *cp,
			  struct sk_buff *skb, const struct nfvs_ftp_work *w)
{
	__be16 dport = w->cport ? htons(ntohs(cp->dport) - 1) : w->port;
	union nf_inet_addr src = {}, dst = {};
	__be16 xport;

	if (!nfvs_conn_data(nn, cp, w->cport, w->port, dport))
		return;
	if (!(cp->flags & NFVS_CONN_F_NFCT))
		return;
	if (w->cport) {
		/* Active: the server (as the director sees it) calls back. */
		src.ip = cp->fwd == NFVS_FWD_NAT ? cp->daddr.ip : cp->vaddr.ip;
		dst = cp->key.caddr;
		xport = w->cport;
	} else {
		/* Passive: the client connects to the virtual address. */
		src = cp->key.caddr;
		dst = cp->vaddr;
		xport = w->port;
	}
	nfvs_nfct_expect(skb, &src, &dst, xport);
}

static unsigned int nfvs_ftp_packet(struct nfvs_net *nn, struct nfvs_conn *cp,
				    struct sk_buff *skb,
				    const struct nfvs_pkt *p, int dir)
{
	struct nfvs_ftp_conn *fc = cp->app_data;
	struct nfvs_ftp_work w = { .cp = cp, .dir = dir };
	enum ip_conntrack_info ctinfo;
	struct nfvs_seqadj sa;
	char rep[32];
	unsigned int doff;
	struct nf_conn *ct;
	int rep_len;
	u32 seq;

	ct = nf_ct_get(skb, &ctinfo);
	if (ct && !(cp->flags & NFVS_CONN_F_NFCT))
		ct = NULL;
	doff = p->l4off + p->th.doff * 4;
	if (skb->len > doff) {
		w.dlen = skb->len - doff;
		/* Lines are read from sound packets only (as in-tree IPVS). */
		if (skb_ensure_writable(skb, skb->len) ||
		    !nfvs_tcp_csum_ok(skb, p->l4off))
			return NF_DROP;
		seq = ntohl(p->th.seq);
		spin_lock_bh(&cp->lock);
		nfvs_ftp_read(cp, &w, (char *)ip_hdr(skb) + doff, seq);
		spin_unlock_bh(&cp->lock);
		if (w.rewrite) {
			rep_len = nfvs_ftp_format_pasv(rep, sizeof(rep),
						       cp->vaddr.ip, w.port);
			if (rep_len < 0 ||
			    nfvs_tcp_mangle(skb, p->l4off, w.off, w.len, rep,
					    rep_len))
				return NF_DROP;
			if (ct && nfct_seqadj(ct)) {
				nf_ct_seqadj_set(ct, ctinfo, htonl(seq),
						 rep_len - (int)w.len);
			} else {
				spin_lock_bh(&cp->lock);
				nfvs_seqadj_record(&fc->seq, seq,
						   rep_len - (int)w.len);
				spin_unlock_bh(&cp->lock);
			}
		}
		if (w.bind)
			nfvs_ftp_bind(nn, cp, skb, &w);
	}
	if (cp->fwd != NFVS_FWD_NAT)
		return NF_ACCEPT;
	/* The server's stream moved: its numbers, and the client's acks. */
	if (ct && nfct_seqadj(ct)) {
		/*
		 * Conntrack's own: its TCP tracker knows the offsets. nfvs
		 * passes its packets on before conntrack's confirm hook,
		 * which would move them, so it moves them itself.
		 */
		if (test_bit(IPS_SEQ_ADJUST_BIT, &ct->status) &&
		    !nf_ct_seq_adjust(skb, ct, ctinfo, p->l4off))
			return NF_DROP;
		return NF_ACCEPT;
	}
	/* Recorded under the lock by another CPU's packet: read whole. */
	spin_lock_bh(&cp->lock);
	sa = fc->seq;
	spin_unlock_bh(&cp->lock);
	if (dir == NFVS_FTP_SERVER)
		nfvs_seqadj_seq(&sa, skb, p->l4off);
	else
		nfvs_seqadj_ack(&sa, skb, p->l4off);
	return NF_ACCEPT;
}

static unsigned int nfvs_ftp_in(struct nfvs_net *nn, struct nfvs_conn *cp,
				struct sk_buff *skb, const struct nfvs_pkt *p)
{
	return nfvs_ftp_packet(nn, cp, skb, p, NFVS_FTP_CLIENT);
}

static unsigned int nfvs_ftp_out(struct nfvs_net *nn, struct nfvs_conn *cp,
				 struct sk_buff *skb, const struct nfvs_pkt *p)
{
	return nfvs_ftp_packet(nn, cp, skb, p, NFVS_FTP_SERVER);
}

const struct nfvs_app nfvs_app_ftp = {
	.name = "ftp",
	.protocol = IPPROTO_TCP,
	.port = 21,
	.data_size = sizeof(struct nfvs_ftp_conn),
	.in = nfvs_ftp_in,
	.out = nfvs_ftp_out,
};
