// SPDX-License-Identifier: GPL-2.0
/*
 * Rewriting a TCP packet's payload (an FTP reply's address) and keeping
 * the stream's sequence numbers right afterwards, for connections without
 * a conntrack entry (with one, conntrack's seqadj does the latter).
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/tcp.h>

#include "tcp_mangle.h"

static void nfvs_tcp_csum(struct sk_buff *skb, unsigned int l4off)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (void *)iph + l4off;
	unsigned int len = skb->len - l4off;

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		th->check = ~tcp_v4_check(len, iph->saddr, iph->daddr, 0);
		return;
	}
	th->check = 0;
	th->check = tcp_v4_check(len, iph->saddr, iph->daddr,
				 csum_partial(th, len, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Whether a packet's TCP checksum is right, before its payload is read or
 * rewritten: a packet damaged on the way must neither name a data
 * connection nor leave with a fresh checksum that passes its damage on as
 * sound. Computed here unless the device or the stack vouched for it, or
 * will compute it (CHECKSUM_PARTIAL: a local sender's).
 */
bool nfvs_tcp_csum_ok(const struct sk_buff *skb, unsigned int l4off)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int len;

	if (skb->ip_summed == CHECKSUM_PARTIAL || skb_csum_unnecessary(skb))
		return true;
	if (l4off > skb->len)
		return false;
	len = skb->len - l4off;
	return !csum_tcpudp_magic(iph->saddr, iph->daddr, len, IPPROTO_TCP,
				  skb_checksum(skb, l4off, len, 0));
}

int nfvs_tcp_mangle(struct sk_buff *skb, unsigned int l4off,
		    unsigned int off, unsigned int len,
		    const char *rep, unsigned int rep_len)
{
	unsigned int doff, dlen, grow = 0;
	struct iphdr *iph;
	struct tcphdr *th;
	char *data;

	if (skb_is_gso(skb) || skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	if (!nfvs_tcp_csum_ok(skb, l4off))
		return -EBADMSG;
	if (rep_len > len) {
		grow = rep_len - len;
		if (skb->len + grow > 0xffff)
			return -EINVAL;
		if (skb_tailroom(skb) < grow &&
		    pskb_expand_head(skb, 0, grow - skb_tailroom(skb),
				     GFP_ATOMIC))
			return -ENOMEM;
	}
	iph = ip_hdr(skb);
	th = (void *)iph + l4off;
	doff = l4off + th->doff * 4;
	if (doff > skb->len)
		return -EINVAL;
	dlen = skb->len - doff;
	if (off > dlen || len > dlen - off)
		return -EINVAL;
	data = (char *)iph + doff;
	if (grow)
		skb_put(skb, grow);
	memmove(data + off + rep_len, data + off + len, dlen - off - len);
	memcpy(data + off, rep, rep_len);
	if (len > rep_len)
		skb_trim(skb, skb->len - (len - rep_len));
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	nfvs_tcp_csum(skb, l4off);
	return 0;
}

void nfvs_seqadj_record(struct nfvs_seqadj *sa, u32 seq, s32 delta)
{
	if (!delta)
		return;
	/* A retransmission of a rewritten packet moves nothing again. */
	if (sa->before != sa->after && !before(sa->pos, seq))
		return;
	sa->pos = seq;
	sa->before = sa->after;
	sa->after += delta;
}

/*
 * A sequence number in the TCP header: seq, ack_seq or a SACK edge, which
 * options may leave unaligned (so copied, never cast).
 */
static u32 nfvs_seqadj_get(const void *field)
{
	__be32 v;

	memcpy(&v, field, sizeof(v));
	return ntohl(v);
}

static void nfvs_seqadj_set(struct sk_buff *skb, struct tcphdr *th,
			    void *field, u32 value)
{
	__be32 old, new = htonl(value);

	memcpy(&old, field, sizeof(old));
	inet_proto_csum_replace4(&th->check, skb, old, new, false);
	memcpy(field, &new, sizeof(new));
}

void nfvs_seqadj_seq(const struct nfvs_seqadj *sa, struct sk_buff *skb,
		     unsigned int l4off)
{
	struct tcphdr *th;
	u32 seq;

	if (!sa->before && !sa->after)
		return;
	if (skb_ensure_writable(skb, l4off + sizeof(*th)))
		return;
	th = (void *)ip_hdr(skb) + l4off;
	seq = ntohl(th->seq);
	seq += after(seq, sa->pos) ? sa->after : sa->before;
	nfvs_seqadj_set(skb, th, &th->seq, seq);
}

/*
 * A number the receiver acknowledges (or SACKs), back into the sender's
 * space: past the rewritten packet's start, which the receiver numbers
 * pos + before, it moves by after; before it, by before. (Compared with
 * after, a rewrite that shrank would move an ack of the data before it.)
 */
static u32 nfvs_seqadj_unmap(const struct nfvs_seqadj *sa, u32 ack)
{
	return ack - (after(ack - sa->before, sa->pos) ? sa->after : sa->before);
}

/* An ack or SACK edge of the receiver's packet, moved back in place. */
static void nfvs_seqadj_unmap_at(const struct nfvs_seqadj *sa,
				 struct sk_buff *skb, struct tcphdr *th,
				 void *field)
{
	nfvs_seqadj_set(skb, th, field,
			nfvs_seqadj_unmap(sa, nfvs_seqadj_get(field)));
}

/* The SACK blocks of the receiver's packet, as its ack. */
static void nfvs_seqadj_sack(const struct nfvs_seqadj *sa, struct sk_buff *skb,
			     struct tcphdr *th)
{
	unsigned int optlen = th->doff * 4 - sizeof(*th), i = 0, e;
	u8 *opt = (u8 *)(th + 1);
	u8 len;

	while (i < optlen) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (optlen - i < 2)
			return;
		len = opt[i + 1];
		if (len < 2 || len > optlen - i)
			return;
		if (opt[i] == TCPOPT_SACK &&
		    len >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
		    !((len - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK))
			for (e = i + TCPOLEN_SACK_BASE; e < i + len; e += 4)
				nfvs_seqadj_unmap_at(sa, skb, th, opt + e);
		i += len;
	}
}

void nfvs_seqadj_ack(const struct nfvs_seqadj *sa, struct sk_buff *skb,
		     unsigned int l4off)
{
	struct tcphdr *th;

	if (!sa->before && !sa->after)
		return;
	if (skb_ensure_writable(skb, l4off + sizeof(*th)))
		return;
	th = (void *)ip_hdr(skb) + l4off;
	if (!th->ack)
		return;
	nfvs_seqadj_unmap_at(sa, skb, th, &th->ack_seq);
	if (th->doff * 4 <= sizeof(*th) ||
	    skb_ensure_writable(skb, l4off + th->doff * 4))
		return;
	nfvs_seqadj_sack(sa, skb, (void *)ip_hdr(skb) + l4off);
}
