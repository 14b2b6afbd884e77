// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the schedulers, driven through the real service and
 * destination code of src/service.c and src/dest.c, and of the checks that
 * code makes on what the control plane asks for.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>

#include "netns.h"
#include "sched.h"
#include "service.h"

struct fixture {
	struct nfvs_net *nn;
	struct nfvs_service *svc;
};

static struct nfvs_service_conf svc_conf(const char *sched)
{
	return (struct nfvs_service_conf) {
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.addr.ip = htonl(0x0a000001),
		.port = htons(80),
		.sched_name = sched,
	};
}

static struct nfvs_dest_conf dest_conf(int i, int weight)
{
	return (struct nfvs_dest_conf) {
		.af = AF_INET,
		.addr.ip = htonl(0x0a000100 + i),
		.port = htons(80),
		.fwd = NFVS_FWD_NAT,
		.weight = weight,
	};
}

/* A service with one destination per weight; destination i is 10.0.1.i. */
static void setup(struct kunit *test, struct fixture *f, const char *sched,
		  const int *weights, int n)
{
	struct nfvs_service_conf c = svc_conf(sched);
	struct nfvs_dest_conf d;
	int i, err;

	f->nn = kunit_kzalloc(test, sizeof(*f->nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->nn);
	f->nn->net = &init_net;	/* destinations' addresses are checked there */
	nfvs_services_init(&f->nn->services);
	mutex_lock(&f->nn->services.mutex);
	err = nfvs_service_add(f->nn, &c, NULL);
	f->svc = nfvs_service_find(f->nn, &c);
	for (i = 0; !err && f->svc && i < n; i++) {
		d = dest_conf(i, weights[i]);
		err = nfvs_dest_add(f->svc, &d, NULL);
	}
	mutex_unlock(&f->nn->services.mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_NOT_NULL(test, f->svc);
}

static void teardown(struct fixture *f)
{
	mutex_lock(&f->nn->services.mutex);
	nfvs_services_flush(f->nn);
	mutex_unlock(&f->nn->services.mutex);
	rcu_barrier();
}

static struct nfvs_dest *dest_at(struct fixture *f, int i)
{
	union nf_inet_addr a = { .ip = htonl(0x0a000100 + i) };

	return nfvs_dest_find(f->svc, AF_INET, &a, htons(80));
}

/* The index of the destination the scheduler picks, -1 for none. */
static int pick(struct fixture *f)
{
	struct nfvs_flow flow = { .af = AF_INET, .protocol = IPPROTO_TCP };
	struct nfvs_scheduler *sched;
	struct nfvs_dest *dest;

	rcu_read_lock();
	sched = rcu_dereference(f->svc->sched);
	dest = sched->schedule(f->svc, NULL, &flow);
	rcu_read_unlock();
	return dest ? ntohl(dest->addr.ip) - 0x0a000100 : -1;
}

static void expect_sequence(struct kunit *test, struct fixture *f,
			    const int *want, int n)
{
	int i, got;

	for (i = 0; i < n; i++) {
		got = pick(f);
		KUNIT_EXPECT_EQ_MSG(test, got, want[i], "pick %d", i);
	}
}

static void set_conns(struct fixture *f, int i, int active, int inactive)
{
	atomic_set(&dest_at(f, i)->activeconns, active);
	atomic_set(&dest_at(f, i)->inactconns, inactive);
}

static void rr_cycles(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, want[] = { 0, 1, 2, 0, 1, 2, 0 };
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	teardown(&f);
}

static void rr_skips_quiesced(struct kunit *test)
{
	static const int w[] = { 1, 0, 1 }, want[] = { 0, 2, 0, 2 };
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	teardown(&f);
}

static void rr_none_available(struct kunit *test)
{
	static const int w[] = { 0, 0 };
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, pick(&f), -1);
	teardown(&f);
	setup(test, &f, "rr", w, 0);
	KUNIT_EXPECT_EQ(test, pick(&f), -1);
	teardown(&f);
}

static void rr_survives_delete(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, want[] = { 2, 0, 2, 0 };
	struct nfvs_dest_conf d = dest_conf(1, 1);
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, pick(&f), 0);
	KUNIT_EXPECT_EQ(test, pick(&f), 1);
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_del(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	teardown(&f);
}

static void wrr_proportional_interleaved(struct kunit *test)
{
	static const int w[] = { 3, 1 }, want[] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	struct fixture f;

	setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	teardown(&f);
}

static void wrr_gcd_steps(struct kunit *test)
{
	static const int w[] = { 4, 2 }, want[] = { 0, 0, 1, 0, 0, 1 };
	struct fixture f;

	setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	teardown(&f);
}

static void wrr_follows_weight_changes(struct kunit *test)
{
	static const int w[] = { 1, 1 }, want[] = { 1, 1, 1, 1 };
	struct nfvs_dest_conf d = dest_conf(0, 0);
	struct fixture f;

	setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	d.weight = 0;
	d.addr.ip = htonl(0x0a000101);
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, pick(&f), -1);
	teardown(&f);
}

static void lc_least_overhead(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 0 };
	struct fixture f;

	setup(test, &f, "lc", w, ARRAY_SIZE(w));
	set_conns(&f, 0, 2, 0);		/* 512 */
	set_conns(&f, 1, 1, 5);		/* 261 */
	set_conns(&f, 2, 1, 0);		/* 256 */
	KUNIT_EXPECT_EQ(test, pick(&f), 2);
	set_conns(&f, 2, 1, 6);		/* 262 */
	KUNIT_EXPECT_EQ(test, pick(&f), 1);
	teardown(&f);
}

static void wlc_per_weight(struct kunit *test)
{
	static const int w[] = { 1, 2 };
	struct fixture f;

	setup(test, &f, "wlc", w, ARRAY_SIZE(w));
	set_conns(&f, 0, 1, 0);		/* 256 / 1 */
	set_conns(&f, 1, 1, 0);		/* 256 / 2 */
	KUNIT_EXPECT_EQ(test, pick(&f), 1);
	set_conns(&f, 1, 3, 0);		/* 768 / 2 */
	KUNIT_EXPECT_EQ(test, pick(&f), 0);
	teardown(&f);
}

static void sed_expected_delay(struct kunit *test)
{
	static const int w[] = { 1, 3 };
	struct fixture f;

	setup(test, &f, "sed", w, ARRAY_SIZE(w));
	set_conns(&f, 0, 0, 0);		/* 1 / 1 */
	set_conns(&f, 1, 3, 0);		/* 4 / 3 */
	KUNIT_EXPECT_EQ(test, pick(&f), 0);
	set_conns(&f, 0, 1, 0);		/* 2 / 1 */
	KUNIT_EXPECT_EQ(test, pick(&f), 1);
	teardown(&f);
}

static void nq_prefers_idle(struct kunit *test)
{
	static const int w[] = { 3, 1 };
	struct fixture f;

	setup(test, &f, "nq", w, ARRAY_SIZE(w));
	set_conns(&f, 0, 1, 0);
	set_conns(&f, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, pick(&f), 1);
	set_conns(&f, 1, 1, 0);		/* then as sed: 2/3 < 2/1 */
	KUNIT_EXPECT_EQ(test, pick(&f), 0);
	teardown(&f);
}

static void dest_checks(struct kunit *test)
{
	static const int w[] = { 1 };
	struct nfvs_dest_conf d;
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	d = dest_conf(0, 1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EEXIST);
	d = dest_conf(5, -1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -ERANGE);
	d = dest_conf(5, 1);
	d.l_threshold = 10;
	d.u_threshold = 5;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -ERANGE);
	d = dest_conf(5, 1);
	d.fwd = 4;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EINVAL);
	d = dest_conf(5, 1);
	d.tun_type = 1;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EOPNOTSUPP);
	d = dest_conf(6, 1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, nfvs_dest_del(f.svc, &d, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, f.svc->num_dests, 1U);
	mutex_unlock(&f.nn->services.mutex);
	teardown(&f);
}

static void service_schedulers(struct kunit *test)
{
	static const int w[] = { 1 };
	struct nfvs_service_conf c = svc_conf("bogus");
	struct fixture f;

	setup(test, &f, "rr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	c.port = htons(81);
	KUNIT_EXPECT_EQ(test, nfvs_service_add(f.nn, &c, NULL), -ENOENT);
	KUNIT_EXPECT_NULL(test, nfvs_service_find(f.nn, &c));
	c = svc_conf("wlc");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), 0);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "wlc");
	c = svc_conf("none");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), 0);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "none");
	c = svc_conf("bogus");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), -ENOENT);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "none");
	KUNIT_EXPECT_EQ(test, f.nn->services.count, 1U);
	mutex_unlock(&f.nn->services.mutex);
	teardown(&f);
	KUNIT_EXPECT_EQ(test, f.nn->services.count, 0U);
}

static struct kunit_case nfvs_sched_cases[] = {
	KUNIT_CASE(rr_cycles),
	KUNIT_CASE(rr_skips_quiesced),
	KUNIT_CASE(rr_none_available),
	KUNIT_CASE(rr_survives_delete),
	KUNIT_CASE(wrr_proportional_interleaved),
	KUNIT_CASE(wrr_gcd_steps),
	KUNIT_CASE(wrr_follows_weight_changes),
	KUNIT_CASE(lc_least_overhead),
	KUNIT_CASE(wlc_per_weight),
	KUNIT_CASE(sed_expected_delay),
	KUNIT_CASE(nq_prefers_idle),
	KUNIT_CASE(dest_checks),
	KUNIT_CASE(service_schedulers),
	{}
};

static struct kunit_suite nfvs_sched_suite = {
	.name = "nfvs_sched",
	.test_cases = nfvs_sched_cases,
};

kunit_test_suites(&nfvs_sched_suite);
