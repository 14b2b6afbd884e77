// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of src/tcp_mangle.c: a payload rewritten keeps a right
 * checksum, a damaged packet is neither trusted nor rewritten, and the
 * stream's numbers move by what a rewrite added.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/tcp.h>

#include "tcp_mangle.h"

#define L4OFF	sizeof(struct iphdr)
#define PASV	"227 Entering Passive Mode (10,0,2,2,4,1).\r\n"
#define ADDR	"10,0,2,2"
#define VADDR	"10,0,1,100"

/* The TCP checksum of a packet edited by the test, right again. */
static void resum(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = tcp_hdr(skb);

	th->check = 0;
	th->check = tcp_v4_check(skb->len - L4OFF, iph->saddr, iph->daddr,
				 csum_partial(th, skb->len - L4OFF, 0));
}

/*
 * An IPv4 TCP packet from 10.0.2.2:21 with @optlen bytes of options @opt
 * (a multiple of 4), carrying @data, checksums right.
 */
static struct sk_buff *packet_opt(struct kunit *test, const u8 *opt,
				  unsigned int optlen, const char *data)
{
	unsigned int plen = strlen(data);
	unsigned int len = L4OFF + sizeof(struct tcphdr) + optlen + plen;
	struct sk_buff *skb = alloc_skb(len + 64, GFP_KERNEL);
	struct tcphdr *th;
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, L4OFF);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = htonl(0x0a000202);
	iph->daddr = htonl(0x0a000102);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = htons(21);
	th->dest = htons(40000);
	th->seq = htonl(1000);
	th->ack_seq = htonl(5000);
	th->doff = (sizeof(*th) + optlen) / 4;
	th->ack = 1;
	th->psh = 1;
	if (optlen)
		skb_put_data(skb, opt, optlen);
	skb_put_data(skb, data, plen);
	skb_set_transport_header(skb, L4OFF);
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	resum(skb);
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

static struct sk_buff *packet(struct kunit *test, const char *data)
{
	return packet_opt(test, NULL, 0, data);
}

static char *payload(struct sk_buff *skb)
{
	return (char *)ip_hdr(skb) + L4OFF + sizeof(struct tcphdr);
}

static bool tcp_sound(struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);

	return !csum_tcpudp_magic(iph->saddr, iph->daddr, skb->len - L4OFF,
				  IPPROTO_TCP,
				  csum_partial((char *)iph + L4OFF,
					       skb->len - L4OFF, 0)) &&
	       !ip_fast_csum(iph, iph->ihl);
}

/* The address grows from 8 to 10 characters, the checksums stay right. */
static void rewrite_keeps_checksum(struct kunit *test)
{
	struct sk_buff *skb = packet(test, PASV);
	unsigned int off = strchr(PASV, '(') - PASV + 1;

	KUNIT_EXPECT_TRUE(test, nfvs_tcp_csum_ok(skb, L4OFF));
	KUNIT_ASSERT_EQ(test, nfvs_tcp_mangle(skb, L4OFF, off, strlen(ADDR),
					      VADDR, strlen(VADDR)), 0);
	KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)(L4OFF +
			sizeof(struct tcphdr) + strlen(PASV) + 2));
	KUNIT_EXPECT_EQ(test, ntohs(ip_hdr(skb)->tot_len), skb->len);
	KUNIT_EXPECT_EQ(test, memcmp(payload(skb),
				     "227 Entering Passive Mode (10,0,1,100,4,1).\r\n",
				     strlen(PASV) + 2), 0);
	KUNIT_EXPECT_TRUE(test, tcp_sound(skb));
	kfree_skb(skb);
}

/*
 * A byte damaged on the way: the packet is not sound, is not rewritten
 * (a fresh checksum would pass the damage on as sound) and stays as it
 * came.
 */
static void damaged_not_rewritten(struct kunit *test)
{
	struct sk_buff *skb = packet(test, PASV);
	unsigned int off = strchr(PASV, '(') - PASV + 1;
	char before[sizeof(PASV)];

	payload(skb)[strlen(PASV) - 5] ^= 0x01;	/* "4,1" becomes "4,0" */
	memcpy(before, payload(skb), strlen(PASV));
	KUNIT_EXPECT_FALSE(test, nfvs_tcp_csum_ok(skb, L4OFF));
	KUNIT_EXPECT_EQ(test, nfvs_tcp_mangle(skb, L4OFF, off, strlen(ADDR),
					      VADDR, strlen(VADDR)), -EBADMSG);
	KUNIT_EXPECT_EQ(test, memcmp(payload(skb), before, strlen(PASV)), 0);
	KUNIT_EXPECT_FALSE(test, tcp_sound(skb));
	kfree_skb(skb);
}

/* What a device verified, or a local sender will sum, is not summed again. */
static void vouched_for(struct kunit *test)
{
	struct sk_buff *skb = packet(test, PASV);

	payload(skb)[0] ^= 0x01;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	KUNIT_EXPECT_TRUE(test, nfvs_tcp_csum_ok(skb, L4OFF));
	skb->ip_summed = CHECKSUM_NONE;
	KUNIT_EXPECT_FALSE(test, nfvs_tcp_csum_ok(skb, L4OFF));
	kfree_skb(skb);
}

/* The receiver's ack @ack, as nfvs_seqadj_ack() passes it on. */
static u32 ack_of(struct kunit *test, const struct nfvs_seqadj *sa,
		  struct sk_buff *skb, u32 ack)
{
	tcp_hdr(skb)->ack_seq = htonl(ack);
	resum(skb);
	nfvs_seqadj_ack(sa, skb, L4OFF);
	KUNIT_EXPECT_TRUE(test, tcp_sound(skb));
	return ntohl(tcp_hdr(skb)->ack_seq);
}

/* After a rewrite at 1000 that added 2: later numbers +2, earlier +0. */
static void seqadj_moves(struct kunit *test)
{
	struct nfvs_seqadj sa = {};
	struct sk_buff *skb = packet(test, "x");

	nfvs_seqadj_record(&sa, 1000, 2);
	KUNIT_EXPECT_EQ(test, sa.pos, 1000U);
	KUNIT_EXPECT_EQ(test, sa.before, 0);
	KUNIT_EXPECT_EQ(test, sa.after, 2);
	/* Its retransmission moves nothing again. */
	nfvs_seqadj_record(&sa, 1000, 2);
	KUNIT_EXPECT_EQ(test, sa.after, 2);

	tcp_hdr(skb)->seq = htonl(1100);
	resum(skb);
	nfvs_seqadj_seq(&sa, skb, L4OFF);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), 1102U);
	KUNIT_EXPECT_TRUE(test, tcp_sound(skb));
	/* The peer acknowledges 1102: the sender meant 1100. */
	KUNIT_EXPECT_EQ(test, ack_of(test, &sa, skb, 1102), 1100U);
	kfree_skb(skb);
}

/*
 * A rewrite at 1000 that shrank by 2 (a 42-byte 227 became 40): an ack of
 * the data before it stays, one of the rewritten packet's end is 1042.
 */
static void shrunk_acks(struct kunit *test)
{
	struct nfvs_seqadj sa = {};
	struct sk_buff *skb = packet(test, "x");

	nfvs_seqadj_record(&sa, 1000, -2);
	KUNIT_EXPECT_EQ(test, ack_of(test, &sa, skb, 1000), 1000U);
	KUNIT_EXPECT_EQ(test, ack_of(test, &sa, skb, 1040), 1042U);
	kfree_skb(skb);
}

static u32 edge(struct sk_buff *skb, unsigned int at)
{
	__be32 v;

	memcpy(&v, (u8 *)(tcp_hdr(skb) + 1) + at, sizeof(v));
	return ntohl(v);
}

/* SACK blocks move as acks do, aligned or not. */
static void sack_blocks(struct kunit *test)
{
	static const u8 aligned[] = {
		TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, 18,
		0, 0, 0x04, 0x10, 0, 0, 0x04, 0x4c,	/* 1040-1100 */
		0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8,	/* 1000-1000 */
	};
	static const u8 unaligned[] = {
		TCPOPT_SACK, 10, 0, 0, 0x04, 0xb0, 0, 0, 0x05, 0x14,
		TCPOPT_NOP, TCPOPT_EOL,			/* 1200-1300 */
	};
	struct nfvs_seqadj sa = {};
	struct sk_buff *skb;

	nfvs_seqadj_record(&sa, 1000, -2);
	skb = packet_opt(test, aligned, sizeof(aligned), "");
	nfvs_seqadj_ack(&sa, skb, L4OFF);
	KUNIT_EXPECT_EQ(test, edge(skb, 4), 1042U);
	KUNIT_EXPECT_EQ(test, edge(skb, 8), 1102U);
	KUNIT_EXPECT_EQ(test, edge(skb, 12), 1000U);
	KUNIT_EXPECT_EQ(test, edge(skb, 16), 1000U);
	KUNIT_EXPECT_TRUE(test, tcp_sound(skb));
	kfree_skb(skb);

	skb = packet_opt(test, unaligned, sizeof(unaligned), "");
	nfvs_seqadj_ack(&sa, skb, L4OFF);
	KUNIT_EXPECT_EQ(test, edge(skb, 2), 1202U);
	KUNIT_EXPECT_EQ(test, edge(skb, 6), 1302U);
	KUNIT_EXPECT_TRUE(test, tcp_sound(skb));
	kfree_skb(skb);
}

static struct kunit_case nfvs_tcp_mangle_cases[] = {
	KUNIT_CASE(rewrite_keeps_checksum),
	KUNIT_CASE(damaged_not_rewritten),
	KUNIT_CASE(vouched_for),
	KUNIT_CASE(seqadj_moves),
	KUNIT_CASE(shrunk_acks),
	KUNIT_CASE(sack_blocks),
	{}
};

static struct kunit_suite nfvs_tcp_mangle_suite = {
	.name = "nfvs_tcp_mangle",
	.test_cases = nfvs_tcp_mangle_cases,
};

kunit_test_suites(&nfvs_tcp_mangle_suite);
