// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the schedulers that look at weights and load (the hashing
 * ones are in sched_hash_test.c), driven through the real service and
 * destination code of src/service.c and src/dest.c, and of the checks that
 * code makes on what the control plane asks for.
 */
#include <kunit/test.h>

#include "netns.h"
#include "sched_fixture.h"

static void expect_sequence(struct kunit *test, struct nfvs_sched_fixture *f,
			    const int *want, int n)
{
	int i, got;

	for (i = 0; i < n; i++) {
		got = nfvs_fixture_pick(f);
		KUNIT_EXPECT_EQ_MSG(test, got, want[i], "pick %d", i);
	}
}

static void rr_cycles(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, want[] = { 0, 1, 2, 0, 1, 2, 0 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

static void rr_skips_quiesced(struct kunit *test)
{
	static const int w[] = { 1, 0, 1 }, want[] = { 0, 2, 0, 2 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

static void rr_none_available(struct kunit *test)
{
	static const int w[] = { 0, 0 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
	nfvs_fixture_setup(test, &f, "rr", w, 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
}

static void rr_survives_delete(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, want[] = { 2, 0, 2, 0 };
	struct nfvs_dest_conf d = nfvs_fixture_dest_conf(1, 1);
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_del(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

/*
 * A packet that picks a destination while it is being deleted (after it
 * left the list, before the scheduler is told) leaves the cursor on a node
 * no longer listed: with nothing else available, the next pick must end,
 * not walk the list forever with the lock held.
 */
static void rr_ends_off_list(struct kunit *test)
{
	static const int w[] = { 1, 0 };
	struct nfvs_sched_fixture f;
	struct nfvs_dest *d0;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	d0 = nfvs_fixture_dest(&f, 0);
	mutex_lock(&f.nn->services.mutex);
	list_del_rcu(&d0->list);
	mutex_unlock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	mutex_lock(&f.nn->services.mutex);
	list_add_rcu(&d0->list, &f.svc->dests);
	mutex_unlock(&f.nn->services.mutex);
	nfvs_fixture_teardown(&f);
}

/* As rr_survives_delete: the cursor moves to the node before the one gone. */
static void wrr_survives_delete(struct kunit *test)
{
	static const int w[] = { 1, 1, 1 }, want[] = { 2, 0, 2, 0 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 1), 0);
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

/*
 * Weights at the extremes: the scan of one pick must neither wrap (three
 * servers, INT_MAX and 1 and 1, once made its step limit 0: nobody was
 * scheduled) nor take a pass per unit of weight.
 */
static void wrr_extreme_weights(struct kunit *test)
{
	static const int w[] = { INT_MAX, 1, 1 };
	struct nfvs_sched_fixture f;
	int i, heavy = 0;

	nfvs_fixture_setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	for (i = 0; i < 100; i++)
		heavy += nfvs_fixture_pick(&f) == 0;
	KUNIT_EXPECT_EQ(test, heavy, 100);
	/* Without it, the light ones take turns at once. */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_set_weight(&f, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 2);
	nfvs_fixture_teardown(&f);
}

static void wrr_proportional_interleaved(struct kunit *test)
{
	static const int w[] = { 3, 1 }, want[] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

static void wrr_gcd_steps(struct kunit *test)
{
	static const int w[] = { 4, 2 }, want[] = { 0, 0, 1, 0, 0, 1 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	nfvs_fixture_teardown(&f);
}

static void wrr_follows_weight_changes(struct kunit *test)
{
	static const int w[] = { 1, 1 }, want[] = { 1, 1, 1, 1 };
	struct nfvs_dest_conf d = nfvs_fixture_dest_conf(0, 0);
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "wrr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	expect_sequence(test, &f, want, ARRAY_SIZE(want));
	d.weight = 0;
	d.addr.ip = htonl(0x0a000101);
	mutex_lock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), 0);
	mutex_unlock(&f.nn->services.mutex);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
}

static void lc_least_overhead(struct kunit *test)
{
	static const int w[] = { 1, 1, 1, 0 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "lc", w, ARRAY_SIZE(w));
	nfvs_fixture_set_conns(&f, 0, 2, 0);		/* 512 */
	nfvs_fixture_set_conns(&f, 1, 1, 5);		/* 261 */
	nfvs_fixture_set_conns(&f, 2, 1, 0);		/* 256 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 2);
	nfvs_fixture_set_conns(&f, 2, 1, 6);		/* 262 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_teardown(&f);
}

static void wlc_per_weight(struct kunit *test)
{
	static const int w[] = { 1, 2 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "wlc", w, ARRAY_SIZE(w));
	nfvs_fixture_set_conns(&f, 0, 1, 0);		/* 256 / 1 */
	nfvs_fixture_set_conns(&f, 1, 1, 0);		/* 256 / 2 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 3, 0);		/* 768 / 2 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	nfvs_fixture_teardown(&f);
}

static void sed_expected_delay(struct kunit *test)
{
	static const int w[] = { 1, 3 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "sed", w, ARRAY_SIZE(w));
	nfvs_fixture_set_conns(&f, 0, 0, 0);		/* 1 / 1 */
	nfvs_fixture_set_conns(&f, 1, 3, 0);		/* 4 / 3 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	nfvs_fixture_set_conns(&f, 0, 1, 0);		/* 2 / 1 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_teardown(&f);
}

static void nq_prefers_idle(struct kunit *test)
{
	static const int w[] = { 3, 1 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "nq", w, ARRAY_SIZE(w));
	nfvs_fixture_set_conns(&f, 0, 1, 0);
	nfvs_fixture_set_conns(&f, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 1, 0);		/* then as sed: 2/3 < 2/1 */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	nfvs_fixture_teardown(&f);
}

static void fo_highest_weight(struct kunit *test)
{
	static const int w[] = { 1, 3, 3, 0, 2 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "fo", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 100, 100);	/* load does not matter */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_set_weight(&f, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 2);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_set_weight(&f, 3, 5), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 3);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_del(&f, 3), 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 2);
	nfvs_fixture_teardown(&f);
}

static void fo_skips_overloaded(struct kunit *test)
{
	static const int w[] = { 1, 2 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "fo", w, ARRAY_SIZE(w));
	nfvs_fixture_dest(&f, 1)->u_threshold = 4;
	nfvs_fixture_set_conns(&f, 1, 2, 1);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 2, 2);		/* at the threshold */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	nfvs_fixture_dest(&f, 0)->u_threshold = 1;
	nfvs_fixture_set_conns(&f, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
}

static void fo_none_available(struct kunit *test)
{
	static const int w[] = { 0, 0 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "fo", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
}

static void ovf_overflows(struct kunit *test)
{
	static const int w[] = { 1, 3, 0, 2 };
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "ovf", w, ARRAY_SIZE(w));
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 3, 50);	/* idle ones do not count */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_set_conns(&f, 1, 4, 0);	/* over its weight */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 3);
	nfvs_fixture_set_conns(&f, 3, 3, 0);
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 0);
	nfvs_fixture_set_conns(&f, 0, 2, 0);	/* all full: none */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_set_conns(&f, 1, 2, 0);	/* back under its weight */
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), 1);
	nfvs_fixture_dest(&f, 1)->u_threshold = 2;
	KUNIT_EXPECT_EQ(test, nfvs_fixture_pick(&f), -1);
	nfvs_fixture_teardown(&f);
}

/* Destination 0 among the next two picks (a round lists both). */
static bool picks_first(struct nfvs_sched_fixture *f)
{
	int a = nfvs_fixture_pick(f), b = nfvs_fixture_pick(f);

	return a == 0 || b == 0;
}

/*
 * ipvsadm -x and -y: every scheduler leaves a destination alone from its
 * upper threshold on until it holds fewer than its lower one (by default
 * three quarters of the upper). Destination 0 is the one each of these
 * schedulers picks, or picks in turn, when it may: destination 1 is busy.
 */
static void thresholds_every_scheduler(struct kunit *test)
{
	static const char * const scheds[] = {
		"rr", "wrr", "lc", "wlc", "sed", "nq", "fo",
	};
	/* Destination 0: upper threshold 4; in order, as connections come
	 * and go (half of them active).
	 */
	static const struct {
		int lower, conns;
		bool picked;
		const char *what;
	} steps[] = {
		{ 2, 3, true, "under the upper threshold" },
		{ 2, 4, false, "at the upper threshold" },
		{ 2, 2, false, "down to the lower threshold" },
		{ 2, 1, true, "below the lower threshold" },
		{ 0, 4, false, "lower 0: at the upper threshold" },
		{ 0, 3, false, "lower 0: down to 3/4 of the upper" },
		{ 0, 2, true, "lower 0: below 3/4 of the upper" },
		{ 0, 4, false, "at the upper threshold again" },
	};
	static const int w[] = { 1, 1 };
	struct nfvs_sched_fixture f;
	struct nfvs_dest_conf d;
	struct nfvs_dest *d0;
	const char *s;
	int i, j, n;

	for (i = 0; i < ARRAY_SIZE(scheds); i++) {
		s = scheds[i];
		nfvs_fixture_setup(test, &f, s, w, ARRAY_SIZE(w));
		nfvs_fixture_set_conns(&f, 1, 10, 0);
		d0 = nfvs_fixture_dest(&f, 0);
		d0->u_threshold = 4;
		for (j = 0; j < ARRAY_SIZE(steps); j++) {
			d0->l_threshold = steps[j].lower;
			n = steps[j].conns;
			nfvs_fixture_set_conns(&f, 0, n / 2, n - n / 2);
			KUNIT_EXPECT_EQ_MSG(test, picks_first(&f), steps[j].picked,
					    "%s: %s", s, steps[j].what);
		}

		/* A higher upper threshold ends the overload at once. */
		d = nfvs_fixture_dest_conf(0, 1);
		d.u_threshold = 8;
		mutex_lock(&f.nn->services.mutex);
		KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), 0);
		mutex_unlock(&f.nn->services.mutex);
		KUNIT_EXPECT_TRUE_MSG(test, picks_first(&f), "%s: raised", s);

		/* Both over their upper thresholds: nobody. */
		nfvs_fixture_dest(&f, 1)->u_threshold = 10;
		nfvs_fixture_set_conns(&f, 0, 0, 8);
		KUNIT_EXPECT_EQ_MSG(test, nfvs_fixture_pick(&f), -1, "%s", s);
		nfvs_fixture_teardown(&f);
	}
}

static void dest_checks(struct kunit *test)
{
	static const int w[] = { 1 };
	struct nfvs_dest_conf d;
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	d = nfvs_fixture_dest_conf(0, 1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EEXIST);
	d = nfvs_fixture_dest_conf(5, -1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -ERANGE);
	d = nfvs_fixture_dest_conf(5, 1);
	d.l_threshold = 10;
	d.u_threshold = 5;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -ERANGE);
	d = nfvs_fixture_dest_conf(5, 1);
	d.fwd = 4;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EINVAL);
	d = nfvs_fixture_dest_conf(5, 1);
	d.tun_type = 1;
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EOPNOTSUPP);
	/* A real server is one host: not broadcast, multicast or 0.0.0.0. */
	d = nfvs_fixture_dest_conf(5, 1);
	d.addr.ip = htonl(INADDR_BROADCAST);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EINVAL);
	d.addr.ip = htonl(0xe0000001);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EINVAL);
	d.addr.ip = htonl(INADDR_ANY);
	KUNIT_EXPECT_EQ(test, nfvs_dest_add(f.svc, &d, NULL), -EINVAL);
	d = nfvs_fixture_dest_conf(6, 1);
	KUNIT_EXPECT_EQ(test, nfvs_dest_edit(f.svc, &d, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, nfvs_dest_del(f.svc, &d, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, f.svc->num_dests, 1U);
	mutex_unlock(&f.nn->services.mutex);
	nfvs_fixture_teardown(&f);
}

static void service_schedulers(struct kunit *test)
{
	static const int w[] = { 1 };
	struct nfvs_service_conf c = nfvs_fixture_svc_conf("bogus");
	struct nfvs_sched_fixture f;

	nfvs_fixture_setup(test, &f, "rr", w, ARRAY_SIZE(w));
	mutex_lock(&f.nn->services.mutex);
	c.port = htons(81);
	KUNIT_EXPECT_EQ(test, nfvs_service_add(f.nn, &c, NULL), -ENOENT);
	KUNIT_EXPECT_NULL(test, nfvs_service_find(f.nn, &c));
	c = nfvs_fixture_svc_conf("wlc");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), 0);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "wlc");
	c = nfvs_fixture_svc_conf("none");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), 0);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "none");
	c = nfvs_fixture_svc_conf("bogus");
	KUNIT_EXPECT_EQ(test, nfvs_service_edit(f.svc, &c, NULL), -ENOENT);
	KUNIT_EXPECT_STREQ(test, nfvs_service_sched_name(f.svc), "none");
	KUNIT_EXPECT_EQ(test, f.nn->services.count, 1U);
	mutex_unlock(&f.nn->services.mutex);
	nfvs_fixture_teardown(&f);
	KUNIT_EXPECT_EQ(test, f.nn->services.count, 0U);
}

static struct kunit_case nfvs_sched_cases[] = {
	KUNIT_CASE(rr_cycles),
	KUNIT_CASE(rr_skips_quiesced),
	KUNIT_CASE(rr_none_available),
	KUNIT_CASE(rr_survives_delete),
	KUNIT_CASE(rr_ends_off_list),
	KUNIT_CASE(wrr_survives_delete),
	KUNIT_CASE(wrr_extreme_weights),
	KUNIT_CASE(wrr_proportional_interleaved),
	KUNIT_CASE(wrr_gcd_steps),
	KUNIT_CASE(wrr_follows_weight_changes),
	KUNIT_CASE(lc_least_overhead),
	KUNIT_CASE(wlc_per_weight),
	KUNIT_CASE(sed_expected_delay),
	KUNIT_CASE(nq_prefers_idle),
	KUNIT_CASE(fo_highest_weight),
	KUNIT_CASE(fo_skips_overloaded),
	KUNIT_CASE(fo_none_available),
	KUNIT_CASE(ovf_overflows),
	KUNIT_CASE(thresholds_every_scheduler),
	KUNIT_CASE(dest_checks),
	KUNIT_CASE(service_schedulers),
	{}
};

static struct kunit_suite nfvs_sched_suite = {
	.name = "nfvs_sched",
	.test_cases = nfvs_sched_cases,
};

kunit_test_suites(&nfvs_sched_suite);
