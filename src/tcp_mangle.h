/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_TCP_MANGLE_H
#define _NFVS_TCP_MANGLE_H

#include <linux/skbuff.h>

/*
 * How far one direction of a TCP stream moved after its payload was
 * rewritten: sequence numbers after pos move by after, the others by
 * before (in the sender's sequence space).
 */
struct nfvs_seqadj {
	u32 pos;
	s32 before;
	s32 after;
};

bool nfvs_tcp_csum_ok(const struct sk_buff *skb, unsigned int l4off);
/* Refuses (-EBADMSG) a packet whose checksum is wrong. */
int nfvs_tcp_mangle(struct sk_buff *skb, unsigned int l4off,
		    unsigned int off, unsigned int len,
		    const char *rep, unsigned int rep_len);
void nfvs_seqadj_record(struct nfvs_seqadj *sa, u32 seq, s32 delta);
/* The sender's packet: its sequence number moves. */
void nfvs_seqadj_seq(const struct nfvs_seqadj *sa, struct sk_buff *skb,
		     unsigned int l4off);
/* The receiver's packet: its acknowledgment moves back. */
void nfvs_seqadj_ack(const struct nfvs_seqadj *sa, struct sk_buff *skb,
		     unsigned int l4off);

#endif /* _NFVS_TCP_MANGLE_H */
