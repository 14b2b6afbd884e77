// SPDX-License-Identifier: GPL-2.0
/* KUnit tests of the connection table of src/conn.c. */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>

#include "app.h"
#include "conn.h"
#include "netns.h"
#include "service.h"
#include "sysctl.h"

static struct nfvs_net *conns_setup(struct kunit *test)
{
	struct nfvs_net *nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, nn);
	nfvs_sysctl_defaults(&nn->sysctl);
	KUNIT_ASSERT_EQ(test, nfvs_conn_cache_init(), 0);
	KUNIT_ASSERT_EQ(test, nfvs_conns_init(nn), 0);
	return nn;
}

static struct nfvs_conn_param param(u32 client, u16 cport, u32 vip)
{
	return (struct nfvs_conn_param) {
		.key = {
			.caddr.ip = htonl(client),
			.cport = htons(cport),
			.protocol = IPPROTO_TCP,
			.af = AF_INET,
		},
		.vaddr.ip = htonl(vip),
		.vport = htons(80),
		.daddr.ip = htonl(0x0a000102),
		.dport = htons(8080),
		.fwd = NFVS_FWD_NAT,
	};
}

static void end_at_once(struct nfvs_conn *cp)
{
	nfvs_conn_expire_now(cp);
}

/*
 * Another CPU ends a connection right after it entered the table, before
 * nfvs_conn_new armed its timer: the timer must stay off (armed, it would
 * fire on the connection once freed), and the caller's reference is all
 * that is left.
 */
static void ended_before_armed(struct kunit *test)
{
	struct nfvs_net *nn;
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn *cp;

	nn = conns_setup(test);
	nfvs_conn_test_inserted = end_at_once;
	cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
	nfvs_conn_test_inserted = NULL;
	KUNIT_ASSERT_NOT_NULL(test, cp);
	KUNIT_EXPECT_FALSE(test, timer_pending(&cp->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&cp->refcnt), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 0);
	nfvs_conn_put(cp);
	nfvs_conns_exit(nn);
}

/*
 * A fwmark service may take UDP and TCP alike; its FTP helper serves only
 * the TCP connections: a UDP one has no TCP header to read or adjust.
 */
static void helper_own_protocol(struct kunit *test)
{
	struct nfvs_net *nn;
	struct nfvs_conn_param pu = param(0xc0000201, 40001, 0xc6336401);
	struct nfvs_conn_param pt = param(0xc0000201, 40002, 0xc6336401);
	struct nfvs_conn *cu, *ct;

	nn = conns_setup(test);
	pu.key.protocol = IPPROTO_UDP;
	cu = nfvs_conn_new(nn, &pu, NULL, 60 * HZ);
	ct = nfvs_conn_new(nn, &pt, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cu);
	KUNIT_ASSERT_NOT_NULL(test, ct);
	nfvs_app_conn_init(cu, &nfvs_app_ftp);
	nfvs_app_conn_init(ct, &nfvs_app_ftp);
	KUNIT_EXPECT_NULL(test, cu->app);
	KUNIT_EXPECT_NULL(test, cu->app_data);
	KUNIT_EXPECT_PTR_EQ(test, ct->app, &nfvs_app_ftp);
	KUNIT_EXPECT_NOT_NULL(test, ct->app_data);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.apps), 1);
	nfvs_conn_put(cu);
	nfvs_conn_put(ct);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

static struct nfvs_conn *in_get(struct nfvs_net *nn,
				const struct nfvs_conn_param *p)
{
	return nfvs_conn_in_get(nn, &p->key, &p->vaddr, p->vport);
}

static void lookups_both_ways(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn_param other = p;
	struct nfvs_conn *cp, *got;

	cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 1);

	got = in_get(nn, &p);
	KUNIT_EXPECT_PTR_EQ(test, got, cp);
	if (got)
		nfvs_conn_put(got);
	got = nfvs_conn_out_get(nn, &p.key, &p.daddr, p.dport);
	KUNIT_EXPECT_PTR_EQ(test, got, cp);
	if (got)
		nfvs_conn_put(got);

	other.vport = htons(81);
	KUNIT_EXPECT_NULL(test, in_get(nn, &other));
	other = p;
	other.key.cport = htons(40001);
	KUNIT_EXPECT_NULL(test, in_get(nn, &other));
	KUNIT_EXPECT_NULL(test, nfvs_conn_out_get(nn, &p.key, &p.vaddr,
						  p.vport));

	nfvs_conn_put(cp);
	nfvs_conns_exit(nn);
}

/* One client port, two virtual services: two connections, both found. */
static void shared_client_end(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param a = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn_param b = param(0xc0000201, 40000, 0xc6336402);
	struct nfvs_conn *ca, *cb, *got;

	ca = nfvs_conn_new(nn, &a, NULL, 60 * HZ);
	cb = nfvs_conn_new(nn, &b, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, ca);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	got = in_get(nn, &a);
	KUNIT_EXPECT_PTR_EQ(test, got, ca);
	if (got)
		nfvs_conn_put(got);
	got = in_get(nn, &b);
	KUNIT_EXPECT_PTR_EQ(test, got, cb);
	if (got)
		nfvs_conn_put(got);
	nfvs_conn_put(ca);
	nfvs_conn_put(cb);
	nfvs_conns_exit(nn);
}

static void expire_now_and_touch(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn *cp;

	cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	nfvs_conn_expire_now(cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 0);
	KUNIT_EXPECT_NULL(test, in_get(nn, &p));
	/* Gone from the table: touching it must not re-arm the timer. */
	nfvs_conn_touch(cp, HZ);
	KUNIT_EXPECT_FALSE(test, timer_pending(&cp->timer));
	nfvs_conn_expire_now(cp);
	KUNIT_EXPECT_EQ(test, refcount_read(&cp->refcnt), 1);
	nfvs_conn_put(cp);
	nfvs_conns_exit(nn);
}

/* conns_drained: waits up to ms for the table to empty; true if it did. */
static bool conns_drained(struct nfvs_net *nn, int ms)
{
	int i;

	for (i = 0; i < ms / 20 && atomic_read(&nn->conns.count); i++)
		msleep(20);
	return !atomic_read(&nn->conns.count);
}

static void timer_expiry(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn *cp;

	cp = nfvs_conn_new(nn, &p, NULL, 1);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	nfvs_conn_put(cp);
	KUNIT_EXPECT_TRUE(test, conns_drained(nn, 2000));
	KUNIT_EXPECT_NULL(test, in_get(nn, &p));
	nfvs_conns_exit(nn);
}

/* in_table: whether the connection of p is still in the table. */
static bool in_table(struct nfvs_net *nn, const struct nfvs_conn_param *p)
{
	struct nfvs_conn *cp = in_get(nn, p);

	if (cp)
		nfvs_conn_put(cp);
	return cp;
}

/*
 * A later deadline does not move the armed timer; the timer, when it
 * fires, waits again for the deadline. A connection lives until then.
 */
static void touch_later_lives_on(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	unsigned long armed;
	struct nfvs_conn *cp;

	cp = nfvs_conn_new(nn, &p, NULL, HZ / 10);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	armed = cp->timer.expires;
	nfvs_conn_touch(cp, HZ);
	KUNIT_EXPECT_EQ(test, cp->timer.expires, armed);
	KUNIT_EXPECT_TRUE(test, time_after(cp->expires, armed));
	nfvs_conn_put(cp);
	msleep(400);
	KUNIT_EXPECT_TRUE(test, in_table(nn, &p));
	KUNIT_EXPECT_TRUE(test, conns_drained(nn, 3000));
	nfvs_conns_exit(nn);
}

/* An earlier deadline (a shorter timeout, a deleted entry) moves it. */
static void touch_earlier_ends_sooner(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_conn *cp;

	cp = nfvs_conn_new(nn, &p, NULL, 600 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	nfvs_conn_touch(cp, 0);
	KUNIT_EXPECT_TRUE(test, time_before_eq(cp->timer.expires, jiffies));
	nfvs_conn_put(cp);
	KUNIT_EXPECT_TRUE(test, conns_drained(nn, 2000));
	nfvs_conns_exit(nn);
}

static void holds_its_destination(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p = param(0xc0000201, 40000, 0xc6336401);
	struct nfvs_dest *dest;
	struct nfvs_conn *cp;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dest);
	refcount_set(&dest->refcnt, 2);	/* ours, and one that never drops */
	cp = nfvs_conn_new(nn, &p, dest, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	KUNIT_EXPECT_PTR_EQ(test, cp->dest, dest);
	KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 3);
	nfvs_conn_expire_now(cp);
	KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 3);
	nfvs_conn_put(cp);
	KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 2);
	nfvs_conns_exit(nn);
	kfree(dest);
}

static bool size_ok(struct nfvs_net *nn, int n)
{
	unsigned int size;

	rcu_read_lock();
	size = rcu_dereference(nn->conns.table.ht.tbl)->size;
	rcu_read_unlock();
	return size >= n * 4 / 3;
}

/* The table grows with its load; namespace exit frees what is left. */
static void many_connections(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param p;
	struct nfvs_conn *cp;
	int i, found = 0, size;
	const int n = 20000;

	for (i = 0; i < n; i++) {
		p = param(0x0a100000 + i / 1000, 1024 + i % 1000, 0xc6336401);
		cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
		KUNIT_ASSERT_NOT_NULL(test, cp);
		nfvs_conn_put(cp);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), n);
	for (i = 0; i < n; i++) {
		p = param(0x0a100000 + i / 1000, 1024 + i % 1000, 0xc6336401);
		cp = in_get(nn, &p);
		if (cp) {
			found++;
			nfvs_conn_put(cp);
		}
	}
	KUNIT_EXPECT_EQ(test, found, n);
	/* Buckets follow the load (rhashtable keeps it under 75%), once its
	 * deferred worker has moved the entries over.
	 */
	for (i = 0; i < 100 && !size_ok(nn, n); i++)
		msleep(20);
	rcu_read_lock();
	size = rcu_dereference(nn->conns.table.ht.tbl)->size;
	rcu_read_unlock();
	KUNIT_EXPECT_GE(test, size, n * 4 / 3);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

/* A netlink dump's walk: parts that take up to 97 connections each. */
struct walk_part {
	u8 *seen;		/* times each connection was taken */
	int taken;		/* in this part */
	int first;		/* the first offered in this part, -1: none */
	int refused;		/* the one this part refused, -1: none */
};

static int conn_index(const struct nfvs_conn *cp)
{
	return (ntohl(cp->key.caddr.ip) - 0x0a100000) * 1000 +
	       ntohs(cp->key.cport) - 1024;
}

static int take_some(struct nfvs_conn *cp, void *arg)
{
	struct walk_part *w = arg;
	int i = conn_index(cp);

	if (w->first < 0)
		w->first = i;
	if (w->taken == 97) {
		w->refused = i;
		return 1;
	}
	w->taken++;
	w->seen[i]++;
	return 0;
}

/*
 * Each part goes on from where the last stopped: the connection a full
 * part refused comes first in the next, and over all parts every
 * connection is taken once.
 */
static void walk_in_parts(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct walk_part w = { .refused = -1 };
	struct rhashtable_iter *iter;
	struct nfvs_conn_param p;
	struct nfvs_conn *cp;
	int i, parts = 0, once = 0;
	const int n = 5000;

	w.seen = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w.seen);
	for (i = 0; i < n; i++) {
		p = param(0x0a100000 + i / 1000, 1024 + i % 1000, 0xc6336401);
		cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
		KUNIT_ASSERT_NOT_NULL(test, cp);
		nfvs_conn_put(cp);
	}
	/* No resize during the walk (it would start over). */
	for (i = 0; i < 100 && !size_ok(nn, n); i++)
		msleep(20);
	iter = nfvs_conns_cursor_new(nn, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iter);
	do {
		i = w.refused;
		w.taken = 0;
		w.first = -1;
		w.refused = -1;
		nfvs_conns_walk_on(iter, take_some, &w);
		if (i >= 0)
			KUNIT_EXPECT_EQ_MSG(test, w.first, i, "part %d", parts);
		parts++;
	} while (w.refused >= 0 && parts <= n);
	nfvs_conns_cursor_free(iter);
	for (i = 0; i < n; i++)
		once += w.seen[i] == 1;
	KUNIT_EXPECT_EQ(test, once, n);
	KUNIT_EXPECT_EQ(test, parts, DIV_ROUND_UP(n, 97));
	nfvs_conns_exit(nn);
	rcu_barrier();
}

/*
 * An FTP client announcing port after port on one control connection: at
 * most 8 data connections wait for their first packet at once; one that
 * ends makes room for another.
 */
static void data_waiting_capped(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn_param pc = param(0xc0000201, 40021, 0xc6336401);
	struct nfvs_conn_param pd = param(0xc0000201, 41000, 0xc6336401);
	struct nfvs_conn *ctl, *cp;
	int i, made = 0;

	pc.vport = htons(21);
	ctl = nfvs_conn_new(nn, &pc, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, ctl);
	for (i = 0; i < 20; i++)
		made += nfvs_conn_data(nn, ctl, htons(41000 + i), htons(20),
				       htons(20));
	KUNIT_EXPECT_EQ(test, made, 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctl->n_waiting), 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 9);

	/* The first one ends: room for one more. */
	pd.vport = htons(20);
	cp = in_get(nn, &pd);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	nfvs_conn_expire_now(cp);
	nfvs_conn_put(cp);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctl->n_waiting), 7);
	KUNIT_EXPECT_TRUE(test, nfvs_conn_data(nn, ctl, htons(41100), htons(20),
					       htons(20)));
	KUNIT_EXPECT_FALSE(test, nfvs_conn_data(nn, ctl, htons(41101),
						htons(20), htons(20)));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctl->n_waiting), 8);
	nfvs_conn_put(ctl);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

/*
 * A table at conn_max takes a new connection in place of one that has not
 * proven itself (a spoofed SYN's), never of a proven one, a template or a
 * connection that made others; with none to end, it refuses.
 */
static void full_table_evicts(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	struct nfvs_conn *cp, *keep[6];
	struct nfvs_conn_param p;
	int i, left = 0;

	nn->sysctl.conn_max = 6;
	for (i = 0; i < 6; i++) {
		p = param(0x0a200000 + i, 1024, 0xc6336401);
		if (i == 4)
			p.flags = NFVS_CONN_F_TEMPLATE;
		keep[i] = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
		KUNIT_ASSERT_NOT_NULL(test, keep[i]);
	}
	/* 0-2 proven; 3 and 5 not, but 5 controls another (4, a template). */
	for (i = 0; i < 3; i++)
		WRITE_ONCE(keep[i]->proven, true);
	nfvs_conn_set_control(keep[4], keep[5]);

	/* Room is made by ending 3, the only one that may go. */
	p = param(0x0a300000, 1024, 0xc6336401);
	cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
	for (i = 0; i < 100 && !cp; i++)	/* random buckets: look again */
		cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
	KUNIT_ASSERT_NOT_NULL(test, cp);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(keep[3]->unhashed));
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 6);
	WRITE_ONCE(cp->proven, true);

	/* Now nothing may go: refused, and everything stays. */
	for (i = 0; i < 50; i++) {
		p = param(0x0a400000 + i, 1024, 0xc6336401);
		KUNIT_EXPECT_NULL(test, nfvs_conn_new(nn, &p, NULL, 60 * HZ));
	}
	for (i = 0; i < 6; i++)
		left += !READ_ONCE(keep[i]->unhashed);
	KUNIT_EXPECT_EQ(test, left, 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), 6);

	nfvs_conn_put(cp);
	for (i = 0; i < 6; i++)
		nfvs_conn_put(keep[i]);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

/* Whether the table is being resized: its entries moving to the next. */
static bool table_moving(struct nfvs_net *nn)
{
	struct rhashtable *ht = &nn->conns.table.ht;
	bool moving;

	rcu_read_lock();
	moving = rht_dereference_rcu(rht_dereference_rcu(ht->tbl, ht)->future_tbl,
				     ht);
	rcu_read_unlock();
	return moving;
}

/*
 * On its way to conn_max the table passes 75% of its buckets, and its
 * deferred worker moves the entries into a table twice the size, bucket by
 * bucket, while connections keep coming, each in place of one that has
 * not proven itself: every one of them must find one to end, in whichever
 * table it is at the moment. Looking through the old table alone, 1,755
 * to 3,072 of the 3,800 to 4,840 made during the resize were refused (in
 * the selftests, 2,999 of 3,000 spoofed SYNs made connections); through
 * both tables from one random bucket, 3 in one load of nine (each table
 * hashes with its own seed: the next one is sparse early in the resize).
 */
static void full_table_evicts_while_growing(struct kunit *test)
{
	struct nfvs_net *nn = conns_setup(test);
	int i, refused = 0, while_moving = 0;
	bool was_moving = false, moving;
	struct nfvs_conn_param p;
	struct nfvs_conn *cp;
	/* Just past 75% of 32,768 buckets: the table doubles when full. */
	const int max = 24600;

	nn->sysctl.conn_max = max;
	for (i = 0; i < max + 60000; i++) {
		p = param(0x0a100000 + i / 1000, 1024 + i % 1000, 0xc6336401);
		cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);
		if (cp)
			nfvs_conn_put(cp);
		else
			refused++;
		/* The worker runs when this thread lets it. */
		cond_resched();
		if (i < max)
			continue;
		moving = table_moving(nn);
		while_moving += moving;
		/* Until the resize that came with the full table is over. */
		if (was_moving && !moving)
			break;
		was_moving |= moving;
	}
	kunit_info(test, "%d made at the limit, %d while the table moved\n",
		   i - max, while_moving);
	KUNIT_EXPECT_GT(test, while_moving, 0);
	KUNIT_EXPECT_EQ(test, refused, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), max);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

static struct kunit_case nfvs_conn_cases[] = {
	KUNIT_CASE(lookups_both_ways),
	KUNIT_CASE(shared_client_end),
	KUNIT_CASE(expire_now_and_touch),
	KUNIT_CASE(ended_before_armed),
	KUNIT_CASE(helper_own_protocol),
	KUNIT_CASE(data_waiting_capped),
	KUNIT_CASE(timer_expiry),
	KUNIT_CASE(touch_later_lives_on),
	KUNIT_CASE(touch_earlier_ends_sooner),
	KUNIT_CASE(holds_its_destination),
	KUNIT_CASE(many_connections),
	KUNIT_CASE(walk_in_parts),
	KUNIT_CASE(full_table_evicts),
	KUNIT_CASE(full_table_evicts_while_growing),
	{}
};

static struct kunit_suite nfvs_conn_suite = {
	.name = "nfvs_conn",
	.test_cases = nfvs_conn_cases,
};

kunit_test_suites(&nfvs_conn_suite);
