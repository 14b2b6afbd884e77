// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the connection list of src/proc_conn.c: its seq_file
 * operations driven as read() drives them, a chunk at a time.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kstrtox.h>
#include <linux/string.h>

#include "conn.h"
#include "netns.h"
#include "proc.h"
#include "proto_tcp.h"
#include "sysctl.h"

#define CPORT0 20000

static struct nfvs_net *table_setup(struct kunit *test)
{
	struct nfvs_net *nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, nn);
	nfvs_sysctl_defaults(&nn->sysctl);
	KUNIT_ASSERT_EQ(test, nfvs_conn_cache_init(), 0);
	KUNIT_ASSERT_EQ(test, nfvs_conns_init(nn), 0);
	return nn;
}

static struct nfvs_conn *add(struct kunit *test, struct nfvs_net *nn,
			     u8 protocol, u16 cport)
{
	struct nfvs_conn_param p = {
		.key = {
			.caddr.ip = htonl(0xc0000201),
			.cport = htons(cport),
			.protocol = protocol,
			.af = AF_INET,
		},
		.vaddr.ip = htonl(0xc6336401),
		.vport = htons(80),
		.daddr.ip = htonl(0x0a000102),
		.dport = htons(8080),
		.fwd = NFVS_FWD_NAT,
	};
	struct nfvs_conn *cp = nfvs_conn_new(nn, &p, NULL, 60 * HZ);

	KUNIT_ASSERT_NOT_NULL(test, cp);
	return cp;
}

static void add_many(struct kunit *test, struct nfvs_net *nn, int n)
{
	int i;

	for (i = 0; i < n; i++)
		nfvs_conn_put(add(test, nn, IPPROTO_UDP, CPORT0 + i));
}

static void seq_setup(struct kunit *test, struct seq_file *m,
		      struct nfvs_conn_seq *s, struct nfvs_net *nn)
{
	memset(m, 0, sizeof(*m));
	m->size = PAGE_SIZE;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	m->private = s;
	nfvs_conn_seq_enter(s, nn);
}

/*
 * One read(), as seq_read_iter() does it: from *index, shows up to @max
 * entries, moves on to the next and stops there; the next read starts
 * with that one. Counts what was shown in @seen (by client port) and
 * @headers. False at the end of the table.
 */
static bool read_chunk(struct seq_file *m, loff_t *index, int max,
		       u8 *seen, int n, int *headers)
{
	const struct seq_operations *ops = &nfvs_conn_seq_ops;
	const struct nfvs_conn *cp;
	int shown = 0, k;
	void *v;

	v = ops->start(m, index);
	while (v && shown < max) {
		m->count = 0;
		if (!ops->show(m, v)) {
			shown++;
			cp = v;
			k = v == SEQ_START_TOKEN ? -1 : ntohs(cp->key.cport) - CPORT0;
			if (v == SEQ_START_TOKEN)
				(*headers)++;
			else if (k >= 0 && k < n)
				seen[k]++;
		}
		v = ops->next(m, v, index);
	}
	ops->stop(m, v);
	return v;
}

/*
 * Every resize that @n entries call for is over: the table is as large as
 * rhashtable makes it for them (under 75% full) and no next one is under
 * way. A walk that runs while entries move to a new table may miss some.
 */
static bool settled(struct nfvs_net *nn, int n)
{
	struct bucket_table *tbl;
	bool done;

	rcu_read_lock();
	tbl = rcu_dereference(nn->conns.table.ht.tbl);
	done = tbl->size >= n * 4 / 3 && !rcu_access_pointer(tbl->future_tbl);
	rcu_read_unlock();
	return done;
}

/*
 * Waits (up to 5 s) until the resizes that adding @n entries started are
 * over: rhashtable grows in a worker, which on another CPU may move the
 * entries under a walk that has begun (the walk then starts again and
 * lists some twice, as proc_conn.c says).
 */
static void settle(struct kunit *test, struct nfvs_net *nn, int n)
{
	int i;

	for (i = 0; i < 250 && !settled(nn, n); i++)
		msleep(20);
	KUNIT_ASSERT_TRUE(test, settled(nn, n));
}

static int count_seen(const u8 *seen, int n, u8 times)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += seen[i] == times;
	return k;
}

static void line_format(struct kunit *test)
{
	static const char header[] =
		"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
	static const char row[] =
		"TCP C0000201 9C40 C6336401 0050 0A000102 1F90 ESTABLISHED ";
	struct nfvs_net *nn = table_setup(test);
	struct nfvs_conn_seq s;
	struct nfvs_conn *cp;
	struct seq_file m;
	unsigned int expires;
	loff_t index = 0;
	char field[8];
	void *v;

	cp = add(test, nn, IPPROTO_TCP, 40000);
	cp->state = NFVS_TCP_ESTABLISHED;
	nfvs_conn_put(cp);
	seq_setup(test, &m, &s, nn);

	v = nfvs_conn_seq_ops.start(&m, &index);
	KUNIT_EXPECT_PTR_EQ(test, v, SEQ_START_TOKEN);
	KUNIT_EXPECT_EQ(test, nfvs_conn_seq_ops.show(&m, v), 0);
	KUNIT_EXPECT_STREQ(test, m.buf, header);
	m.count = 0;
	v = nfvs_conn_seq_ops.next(&m, v, &index);
	KUNIT_ASSERT_PTR_EQ(test, v, (void *)cp);
	KUNIT_EXPECT_EQ(test, nfvs_conn_seq_ops.show(&m, v), 0);
	/* The row, then the expiry in 7 columns and the end of the line. */
	KUNIT_EXPECT_EQ(test, strncmp(m.buf, row, strlen(row)), 0);
	memcpy(field, m.buf + strlen(row), 7);
	field[7] = '\0';
	KUNIT_EXPECT_EQ(test, kstrtouint(skip_spaces(field), 10, &expires), 0);
	KUNIT_EXPECT_TRUE(test, expires >= 58 && expires <= 60);
	KUNIT_EXPECT_EQ(test, m.count, strlen(row) + 8);
	KUNIT_EXPECT_EQ(test, m.buf[strlen(row) + 7], '\n');
	m.count = 0;
	v = nfvs_conn_seq_ops.next(&m, v, &index);
	KUNIT_EXPECT_NULL(test, v);
	nfvs_conn_seq_ops.stop(&m, v);

	nfvs_conn_seq_exit(&s);
	nfvs_conns_exit(nn);
}

/* Any chunk size, and again after a seek to 0: the header, then each once. */
static void each_once_in_chunks(struct kunit *test)
{
	static const int chunks[] = { 1, 2, 7, 64, 5000 };
	struct nfvs_net *nn = table_setup(test);
	const int n = 1000;
	struct nfvs_conn_seq s;
	struct seq_file m;
	int i, headers;
	loff_t index;
	u8 *seen;

	seen = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	add_many(test, nn, n);
	settle(test, nn, n);
	seq_setup(test, &m, &s, nn);
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		memset(seen, 0, n);
		headers = 0;
		index = 0;
		while (read_chunk(&m, &index, chunks[i], seen, n, &headers))
			;
		KUNIT_EXPECT_EQ_MSG(test, headers, 1, "chunks of %d", chunks[i]);
		KUNIT_EXPECT_EQ_MSG(test, count_seen(seen, n, 1), n,
				    "chunks of %d", chunks[i]);
		/* Reading on at the end finds nothing more. */
		KUNIT_EXPECT_FALSE(test, read_chunk(&m, &index, 10, seen, n,
						    &headers));
		KUNIT_EXPECT_EQ(test, count_seen(seen, n, 1), n);
	}
	KUNIT_EXPECT_NULL(test, s.held);
	nfvs_conn_seq_exit(&s);
	nfvs_conns_exit(nn);
}

/*
 * The entry a read stopped on expires before the next read: it is not
 * listed, nothing is listed twice, and a removal between two reads costs
 * the walk at most one neighbour (rhashtable's walker loses its place).
 */
static void held_entry_expires(struct kunit *test)
{
	struct nfvs_net *nn = table_setup(test);
	const int n = 300;
	int i, headers = 0, expired = 0;
	struct nfvs_conn_seq s;
	struct seq_file m;
	loff_t index = 0;
	bool more;
	u8 *seen;
	u8 *gone;

	seen = kunit_kzalloc(test, n, GFP_KERNEL);
	gone = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	add_many(test, nn, n);
	settle(test, nn, n);
	seq_setup(test, &m, &s, nn);
	do {
		more = read_chunk(&m, &index, 10, seen, n, &headers);
		if (more && s.held) {
			gone[ntohs(s.held->key.cport) - CPORT0] = 1;
			nfvs_conn_expire_now(s.held);
			expired++;
		}
	} while (more);
	KUNIT_EXPECT_GT(test, expired, 20);
	KUNIT_EXPECT_EQ(test, count_seen(seen, n, 2), 0);
	KUNIT_EXPECT_LE(test, n - expired - count_seen(seen, n, 1), expired);
	for (i = 0; i < n; i++)
		if (gone[i])
			KUNIT_EXPECT_EQ(test, seen[i], 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&nn->conns.count), n - expired);
	nfvs_conn_seq_exit(&s);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

/* A resize between two reads restarts the walk: nothing is lost. */
static void table_grows_between_reads(struct kunit *test)
{
	struct nfvs_net *nn = table_setup(test);
	const int n = 100;
	struct nfvs_conn_seq s;
	struct seq_file m;
	unsigned int size;
	int i, headers = 0;
	loff_t index = 0;
	u8 *seen;

	seen = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	add_many(test, nn, n);
	rcu_read_lock();
	size = rcu_dereference(nn->conns.table.ht.tbl)->size;
	rcu_read_unlock();
	seq_setup(test, &m, &s, nn);
	KUNIT_ASSERT_TRUE(test, read_chunk(&m, &index, 30, seen, n, &headers));

	for (i = 0; i < 3000; i++)
		nfvs_conn_put(add(test, nn, IPPROTO_TCP, 30000 + i));
	settle(test, nn, n + 3000);
	rcu_read_lock();
	KUNIT_EXPECT_GT(test, rcu_dereference(nn->conns.table.ht.tbl)->size,
			size);
	rcu_read_unlock();

	while (read_chunk(&m, &index, 30, seen, n, &headers))
		;
	KUNIT_EXPECT_EQ(test, count_seen(seen, n, 0), 0);
	KUNIT_EXPECT_EQ(test, headers, 1);
	nfvs_conn_seq_exit(&s);
	nfvs_conns_exit(nn);
	rcu_barrier();
}

static struct kunit_case nfvs_proc_conn_cases[] = {
	KUNIT_CASE(line_format),
	KUNIT_CASE(each_once_in_chunks),
	KUNIT_CASE(held_entry_expires),
	KUNIT_CASE(table_grows_between_reads),
	{}
};

static struct kunit_suite nfvs_proc_conn_suite = {
	.name = "nfvs_proc_conn",
	.test_cases = nfvs_proc_conn_cases,
};

kunit_test_suites(&nfvs_proc_conn_suite);
