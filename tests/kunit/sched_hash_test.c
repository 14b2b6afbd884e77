// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the hashing schedulers sh, dh and mh: what lands where,
 * how evenly, and who moves when destinations come, go or are quiesced.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/slab.h>

#include "netns.h"
#include "sched_fixture.h"

#define FLOWS 10000

/* Client i is 172.16.0.0 + i. */
static struct nfvs_flow client(u32 i, u16 port)
{
	return (struct nfvs_flow) {
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.saddr.ip = htonl(0xac100000 + i),
		.daddr.ip = htonl(0x0a000001),
		.sport = htons(port),
		.dport = htons(80),
	};
}

static int pick_client(struct nfvs_sched_fixture *f, u32 i, u16 port)
{
	struct nfvs_flow flow = client(i, port);

	return nfvs_fixture_pick_flow(f, &flow);
}

/* Where clients 0..n-1 land; count[d] of them on destination d. */
static void map_clients(struct nfvs_sched_fixture *f, int *map, int n,
			int *count, int ndests)
{
	int i;

	memset(count, 0, ndests * sizeof(*count));
	for (i = 0; i < n; i++) {
		map[i] = pick_client(f, i, 1024 + i % 30000);
		if (map[i] >= 0 && map[i] < ndests)
			count[map[i]]++;
	}
}

#define ANYWHERE (-2)

/* Clients that moved between two maps, leaving out those that were on @from. */
static int moved(const int *before, const int *after, int n, int from)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		if (before[i] != from && after[i] != before[i])
			count++;
	return count;
}

/* Where client @i lands from n ports; count[d] of them on destination d. */
static void map_ports(struct nfvs_sched_fixture *f, u32 i, int n, int *count,
		      int ndests)
{
	int port, d;

	memset(count, 0, ndests * sizeof(*count));
	for (port = 1024; port < 1024 + n; port++) {
		d = pick_client(f, i, port);
		if (d >= 0 && d < ndests)
			count[d]++;
	}
}

static int *alloc_map(struct kunit *test)
{
	int *map = kunit_kcalloc(test, FLOWS, sizeof(*map), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	return map;
}

static void set_flag(struct nfvs_sched_fixture *f, u32 flag)
{
	WRITE_ONCE(f->svc->flags, f->svc->flags | flag);
}

/* Each destination holds its share of n clients, within tol of them. */
static void expect_shares(struct kunit *test, const int *count,
			  const int *weights, int ndests, int n, int tol)
{
	int d, total = 0;

	for (d = 0; d < ndests; d++)
		total += weights[d];
	for (d = 0; d < ndests; d++)
		KUNIT_EXPECT_LE_MSG(test, abs(count[d] - n * weights[d] / total),
				    tol, "destination %d: %d of %d", d,
				    count[d], n);
}

static void sh_same_client_same_dest(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 1 };
	int *map = alloc_map(test), *again = alloc_map(test);
	struct nfvs_sched_fixture f;
	int count[4];

	nfvs_fixture_setup(test, &f, "sh", w, ARRAY_SIZE(w));
	map_clients(&f, map, 2000, count, 4);
	expect_shares(test, count, w, 4, 2000, 150);
	map_clients(&f, again, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, moved(map, again, 2000, ANYWHERE), 0);
	nfvs_fixture_teardown(&f);
}

static void sh_weights(struct kunit *test)
{
	static const int w[] = { 3, 1 };
	struct nfvs_sched_fixture f;
	int *map = alloc_map(test);
	int count[2];

	nfvs_fixture_setup(test, &f, "sh", w, ARRAY_SIZE(w));
	map_clients(&f, map, FLOWS, count, 2);
	expect_shares(test, count, w, 2, FLOWS, 500);
	nfvs_fixture_teardown(&f);
}

static void sh_quiesced_and_fallback(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 1 };
	int *map = alloc_map(test), *now = alloc_map(test);
	struct nfvs_sched_fixture f;
	int count[4], before[4];

	nfvs_fixture_setup(test, &f, "sh", w, ARRAY_SIZE(w));
	map_clients(&f, map, 2000, before, 4);
	KUNIT_ASSERT_EQ(test, nfvs_fixture_set_weight(&f, 1, 0), 0);
	map_clients(&f, now, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, moved(map, now, 2000, 1), 0);
	KUNIT_EXPECT_EQ(test, count[1], 0);
	KUNIT_EXPECT_EQ(test, count[0] + count[2] + count[3] + before[1],
			2000);		/* the others are turned away */

	set_flag(&f, NFVS_SVC_F_SCHED_SH_FALLBACK);
	map_clients(&f, now, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, moved(map, now, 2000, 1), 0);
	KUNIT_EXPECT_EQ(test, count[1], 0);
	KUNIT_EXPECT_EQ(test, count[0] + count[2] + count[3], 2000);
	/* The clients of the quiesced one spread over the others. */
	KUNIT_EXPECT_GT(test, count[0] - before[0], 50);
	KUNIT_EXPECT_GT(test, count[2] - before[2], 50);
	KUNIT_EXPECT_GT(test, count[3] - before[3], 50);

	/* Overloaded: the same. */
	nfvs_fixture_dest(&f, 2)->u_threshold = 1;
	nfvs_fixture_set_conns(&f, 2, 1, 0);
	map_clients(&f, now, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, count[1] + count[2], 0);
	KUNIT_EXPECT_EQ(test, count[0] + count[3], 2000);
	KUNIT_EXPECT_EQ(test, moved(map, now, 2000, 1) - before[2], 0);
	nfvs_fixture_teardown(&f);
}

static void sh_port(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 1 };
	struct nfvs_sched_fixture f;
	int count[4];

	nfvs_fixture_setup(test, &f, "sh", w, ARRAY_SIZE(w));
	map_ports(&f, 7, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, max(max(count[0], count[1]),
				  max(count[2], count[3])), 2000);
	set_flag(&f, NFVS_SVC_F_SCHED_SH_PORT);
	map_ports(&f, 7, 2000, count, 4);
	expect_shares(test, count, w, 4, 2000, 150);
	nfvs_fixture_teardown(&f);
}

static void sh_dests_come_and_go(struct kunit *test)
{
	static const int w[] = { 2, 1, 1 };
	struct nfvs_sched_fixture f;
	struct nfvs_dest_conf d;
	int *map = alloc_map(test);
	int count[4];

	nfvs_fixture_setup(test, &f, "sh", w, 0);
	KUNIT_EXPECT_EQ(test, pick_client(&f, 1, 1), -1);
	nfvs_fixture_teardown(&f);

	nfvs_fixture_setup(test, &f, "sh", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 0), 0);
	map_clients(&f, map, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, count[0], 0);
	KUNIT_EXPECT_EQ(test, count[1] + count[2], 2000);
	mutex_lock(&f.nn->services.mutex);
	d = nfvs_fixture_dest_conf(3, 2);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	map_clients(&f, map, 2000, count, 4);
	KUNIT_EXPECT_EQ(test, count[1] + count[2] + count[3], 2000);
	KUNIT_EXPECT_GT(test, count[3], 700);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 1), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 2), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 3), 0);
	KUNIT_EXPECT_EQ(test, pick_client(&f, 1, 1), -1);
	nfvs_fixture_teardown(&f);
}

static void dh_same_destination(struct kunit *test)
{
	static const int w[] = { 1, 5, 1, 1 };
	int i, d, count[4] = {}, first[100];
	struct nfvs_sched_fixture f;
	struct nfvs_flow flow;

	nfvs_fixture_setup(test, &f, "dh", w, ARRAY_SIZE(w));
	for (i = 0; i < 100; i++) {
		flow = client(i, 1024);
		flow.daddr.ip = htonl(0xc0a80000 + i);
		first[i] = nfvs_fixture_pick_flow(&f, &flow);
		KUNIT_ASSERT_TRUE(test, first[i] >= 0 && first[i] < 4);
		count[first[i]]++;
		/* Whoever asks for it. */
		flow = client(1000 + i, 2000 + i);
		flow.daddr.ip = htonl(0xc0a80000 + i);
		KUNIT_EXPECT_EQ(test, nfvs_fixture_pick_flow(&f, &flow),
				first[i]);
	}
	/* Weights aside: each of the four takes about a quarter. */
	for (d = 0; d < 4; d++)
		KUNIT_EXPECT_GT_MSG(test, count[d], 10, "destination %d", d);

	KUNIT_ASSERT_EQ(test, nfvs_fixture_set_weight(&f, 2, 0), 0);
	for (i = 0; i < 100; i++) {
		flow = client(i, 1024);
		flow.daddr.ip = htonl(0xc0a80000 + i);
		KUNIT_EXPECT_EQ(test, nfvs_fixture_pick_flow(&f, &flow),
				first[i] == 2 ? -1 : first[i]);
	}
	nfvs_fixture_teardown(&f);
}

static void mh_minimal_disruption(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 1 };
	int *map = alloc_map(test), *now = alloc_map(test);
	struct nfvs_sched_fixture f;
	int count[4], all, others;

	nfvs_fixture_setup(test, &f, "mh", w, ARRAY_SIZE(w));
	map_clients(&f, map, FLOWS, count, 4);
	expect_shares(test, count, w, 4, FLOWS, 250);

	KUNIT_ASSERT_EQ(test, nfvs_fixture_del(&f, 2), 0);
	map_clients(&f, now, FLOWS, count, 4);
	KUNIT_EXPECT_EQ(test, count[2], 0);
	KUNIT_EXPECT_EQ(test, count[0] + count[1] + count[3], FLOWS);
	all = moved(map, now, FLOWS, ANYWHERE);
	others = moved(map, now, FLOWS, 2);
	kunit_info(test, "moved %d of %d, %d of them not from the deleted one",
		   all, FLOWS, others);
	KUNIT_EXPECT_LE(test, all, FLOWS * 3 / 10);
	KUNIT_EXPECT_LE(test, others, FLOWS / 50);
	nfvs_fixture_teardown(&f);
}

static void mh_weights(struct kunit *test)
{
	static const int w[] = { 1, 2, 3, 4 }, big[] = { 1, 1000000 };
	struct nfvs_sched_fixture f;
	int *map = alloc_map(test);
	int count[4];

	nfvs_fixture_setup(test, &f, "mh", w, ARRAY_SIZE(w));
	map_clients(&f, map, FLOWS, count, 4);
	expect_shares(test, count, w, 4, FLOWS, 300);
	nfvs_fixture_teardown(&f);

	/* Scaled down, a weight of 1 still gets a slot or more. */
	nfvs_fixture_setup(test, &f, "mh", big, ARRAY_SIZE(big));
	map_clients(&f, map, FLOWS, count, 2);
	KUNIT_EXPECT_GT(test, count[0], 0);
	KUNIT_EXPECT_LT(test, count[0], FLOWS / 20);
	KUNIT_EXPECT_EQ(test, count[0] + count[1], FLOWS);
	nfvs_fixture_teardown(&f);
}

static void mh_quiesced_and_fallback(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 };
	int *map = alloc_map(test), *now = alloc_map(test);
	struct nfvs_sched_fixture f;
	int count[3], before[3];

	nfvs_fixture_setup(test, &f, "mh", w, ARRAY_SIZE(w));
	map_clients(&f, map, FLOWS, before, 3);
	KUNIT_ASSERT_EQ(test, nfvs_fixture_set_weight(&f, 0, 0), 0);
	map_clients(&f, now, FLOWS, count, 3);
	KUNIT_EXPECT_EQ(test, moved(map, now, FLOWS, 0), 0);
	KUNIT_EXPECT_EQ(test, count[1] + count[2] + before[0], FLOWS);

	set_flag(&f, NFVS_SVC_F_SCHED_MH_FALLBACK);
	map_clients(&f, now, FLOWS, count, 3);
	KUNIT_EXPECT_EQ(test, moved(map, now, FLOWS, 0), 0);
	KUNIT_EXPECT_EQ(test, count[0], 0);
	KUNIT_EXPECT_EQ(test, count[1] + count[2], FLOWS);
	/* Back at its weight, it gets its own clients back. */
	KUNIT_ASSERT_EQ(test, nfvs_fixture_set_weight(&f, 0, 1), 0);
	map_clients(&f, now, FLOWS, count, 3);
	KUNIT_EXPECT_EQ(test, moved(map, now, FLOWS, ANYWHERE), 0);
	nfvs_fixture_teardown(&f);
}

static void mh_port_and_empty(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, zero[] = { 0, 0 };
	struct nfvs_sched_fixture f;
	int count[3];

	nfvs_fixture_setup(test, &f, "mh", w, ARRAY_SIZE(w));
	map_ports(&f, 3, 1500, count, 3);
	KUNIT_EXPECT_EQ(test, max3(count[0], count[1], count[2]), 1500);
	set_flag(&f, NFVS_SVC_F_SCHED_MH_PORT);
	map_ports(&f, 3, 1500, count, 3);
	expect_shares(test, count, w, 3, 1500, 150);
	nfvs_fixture_teardown(&f);

	nfvs_fixture_setup(test, &f, "mh", zero, ARRAY_SIZE(zero));
	set_flag(&f, NFVS_SVC_F_SCHED_MH_FALLBACK);
	KUNIT_EXPECT_EQ(test, pick_client(&f, 3, 1024), -1);
	nfvs_fixture_teardown(&f);
	nfvs_fixture_setup(test, &f, "mh", w, 0);
	KUNIT_EXPECT_EQ(test, pick_client(&f, 3, 1024), -1);
	nfvs_fixture_teardown(&f);
}

/* A service that changes to mh finds its destinations in the table. */
static void mh_bound_late(struct kunit *test)
{
	static const int w[] = { 1, 1 };
	struct nfvs_service_conf c = nfvs_fixture_svc_conf("mh");
	struct nfvs_sched_fixture f;
	int *map = alloc_map(test);
	int count[2];

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	map_clients(&f, map, 2000, count, 2);
	expect_shares(test, count, w, 2, 2000, 150);
	nfvs_fixture_teardown(&f);
}

static struct kunit_case nfvs_sched_hash_cases[] = {
	KUNIT_CASE(sh_same_client_same_dest),
	KUNIT_CASE(sh_weights),
	KUNIT_CASE(sh_quiesced_and_fallback),
	KUNIT_CASE(sh_port),
	KUNIT_CASE(sh_dests_come_and_go),
	KUNIT_CASE(dh_same_destination),
	KUNIT_CASE(mh_minimal_disruption),
	KUNIT_CASE(mh_weights),
	KUNIT_CASE(mh_quiesced_and_fallback),
	KUNIT_CASE(mh_port_and_empty),
	KUNIT_CASE(mh_bound_late),
	{}
};

static struct kunit_suite nfvs_sched_hash_suite = {
	.name = "nfvs_sched_hash",
	.test_cases = nfvs_sched_hash_cases,
};

kunit_test_suites(&nfvs_sched_hash_suite);
