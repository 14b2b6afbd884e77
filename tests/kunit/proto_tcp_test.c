// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the TCP state machine of src/proto_tcp.c. */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/tcp.h>

#include "netns.h"
#include "proto_tcp.h"

enum { F_SYN = 1, F_ACK = 2, F_FIN = 4, F_RST = 8 };

static u8 step(u8 state, enum nfvs_dir dir, int flags)
{
	struct tcphdr th = {
		.syn = !!(flags & F_SYN),
		.ack = !!(flags & F_ACK),
		.fin = !!(flags & F_FIN),
		.rst = !!(flags & F_RST),
	};

	return nfvs_tcp_next_state(state, dir, &th);
}

struct seg {
	enum nfvs_dir dir;
	int flags;
	u8 state;	/* after the segment */
};

static void walk(struct kunit *test, const struct seg *segs, size_t n)
{
	u8 state = NFVS_TCP_NONE;
	size_t i;

	for (i = 0; i < n; i++) {
		state = step(state, segs[i].dir, segs[i].flags);
		KUNIT_EXPECT_STREQ_MSG(test, nfvs_tcp_state_name(state),
				       nfvs_tcp_state_name(segs[i].state),
				       "segment %zu", i);
	}
}

/* NAT: the director sees both directions. */
static void nat_lifecycle(struct kunit *test)
{
	static const struct seg segs[] = {
		{ NFVS_DIR_INPUT, F_SYN, NFVS_TCP_SYN_RECV },
		{ NFVS_DIR_OUTPUT, F_SYN | F_ACK, NFVS_TCP_SYN_RECV },
		{ NFVS_DIR_INPUT, F_ACK, NFVS_TCP_ESTABLISHED },
		{ NFVS_DIR_OUTPUT, F_ACK, NFVS_TCP_ESTABLISHED },
		{ NFVS_DIR_INPUT, F_FIN | F_ACK, NFVS_TCP_CLOSE_WAIT },
		{ NFVS_DIR_OUTPUT, F_FIN | F_ACK, NFVS_TCP_TIME_WAIT },
		{ NFVS_DIR_INPUT, F_ACK, NFVS_TCP_TIME_WAIT },
	};

	walk(test, segs, ARRAY_SIZE(segs));
}

/* DR and TUN: only the client's packets, yet the states move on. */
static void input_only_lifecycle(struct kunit *test)
{
	static const struct seg segs[] = {
		{ NFVS_DIR_INPUT_ONLY, F_SYN, NFVS_TCP_SYN_RECV },
		{ NFVS_DIR_INPUT_ONLY, F_ACK, NFVS_TCP_ESTABLISHED },
		{ NFVS_DIR_INPUT_ONLY, F_ACK, NFVS_TCP_ESTABLISHED },
		{ NFVS_DIR_INPUT_ONLY, F_FIN | F_ACK, NFVS_TCP_FIN_WAIT },
		{ NFVS_DIR_INPUT_ONLY, F_ACK, NFVS_TCP_FIN_WAIT },
		{ NFVS_DIR_INPUT_ONLY, F_RST, NFVS_TCP_CLOSE },
	};

	walk(test, segs, ARRAY_SIZE(segs));
}

static void flag_priority(struct kunit *test)
{
	/* RST wins over SYN, SYN over FIN, FIN over ACK; no flag: no change. */
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_ESTABLISHED, NFVS_DIR_INPUT,
				   F_RST | F_SYN), NFVS_TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_NONE, NFVS_DIR_INPUT,
				   F_SYN | F_FIN), NFVS_TCP_SYN_RECV);
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_ESTABLISHED, NFVS_DIR_INPUT,
				   F_FIN | F_ACK), NFVS_TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_SYN_RECV, NFVS_DIR_INPUT, 0),
			NFVS_TCP_SYN_RECV);
	/* A state out of range closes rather than indexing past the table. */
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_STATES, NFVS_DIR_INPUT, F_ACK),
			NFVS_TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, step(NFVS_TCP_NONE, NFVS_DIRS, F_ACK),
			NFVS_TCP_CLOSE);
}

static void timeouts(struct kunit *test)
{
	struct nfvs_timeouts t = { .tcp = 900, .tcp_fin = 120, .udp = 300 };

	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_ESTABLISHED),
			900UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_FIN_WAIT),
			120UL * HZ);
	t.tcp = 30;
	t.tcp_fin = 5;
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_ESTABLISHED),
			30UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_FIN_WAIT), 5UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_SYN_RECV), 60UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_CLOSE), 10UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, NFVS_TCP_TIME_WAIT),
			120UL * HZ);
	KUNIT_EXPECT_EQ(test, nfvs_tcp_timeout(&t, 200), 2UL * HZ);
}

static void active_and_names(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, nfvs_tcp_state_active(NFVS_TCP_ESTABLISHED));
	KUNIT_EXPECT_TRUE(test, nfvs_tcp_state_active(NFVS_TCP_SYN_RECV));
	KUNIT_EXPECT_FALSE(test, nfvs_tcp_state_active(NFVS_TCP_FIN_WAIT));
	KUNIT_EXPECT_FALSE(test, nfvs_tcp_state_active(NFVS_TCP_TIME_WAIT));
	KUNIT_EXPECT_FALSE(test, nfvs_tcp_state_active(NFVS_TCP_NONE));
	KUNIT_EXPECT_STREQ(test, nfvs_tcp_state_name(NFVS_TCP_SYN_RECV),
			   "SYN_RECV");
	KUNIT_EXPECT_STREQ(test, nfvs_tcp_state_name(NFVS_TCP_STATES), "ERR!");
}

static struct kunit_case nfvs_tcp_cases[] = {
	KUNIT_CASE(nat_lifecycle),
	KUNIT_CASE(input_only_lifecycle),
	KUNIT_CASE(flag_priority),
	KUNIT_CASE(timeouts),
	KUNIT_CASE(active_and_names),
	{}
};

static struct kunit_suite nfvs_tcp_suite = {
	.name = "nfvs_tcp",
	.test_cases = nfvs_tcp_cases,
};

kunit_test_suites(&nfvs_tcp_suite);
