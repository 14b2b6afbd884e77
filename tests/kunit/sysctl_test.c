// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of nfvs's sysctls: the template of src/sysctl.c, the defaults,
 * and the proc handlers on a table pointing into a struct nfvs_net.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/sysctl.h>

#include "netns.h"
#include "sysctl.h"

#define NFVS_SYSCTL_FIRST offsetof(struct nfvs_net, sysctl)
#define NFVS_SYSCTL_END (NFVS_SYSCTL_FIRST + sizeof(struct nfvs_sysctl))

static size_t sysctl_offset(const struct ctl_table *t)
{
	return (uintptr_t)t->data;
}

static int sysctl_value(const struct nfvs_net *nn, const struct ctl_table *t)
{
	return *(const int *)((const char *)nn + sysctl_offset(t));
}

/* A copy of the template whose .data points into a zeroed nfvs_net. */
static struct ctl_table *sysctl_table(struct kunit *test, struct nfvs_net **nn)
{
	struct ctl_table *tbl;
	size_t i;

	*nn = kunit_kzalloc(test, sizeof(**nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *nn);
	/* conntrack's handler holds conntrack in the namespace, under mutex. */
	(*nn)->net = &init_net;
	nfvs_services_init(&(*nn)->services);
	tbl = kunit_kmalloc(test, sizeof(nfvs_sysctl_template), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	memcpy(tbl, nfvs_sysctl_template, sizeof(nfvs_sysctl_template));
	for (i = 0; i < ARRAY_SIZE(nfvs_sysctl_template); i++)
		tbl[i].data = (char *)*nn + sysctl_offset(&tbl[i]);
	return tbl;
}

static int sysctl_write(struct ctl_table *t, const char *s)
{
	char buf[32];
	size_t len = strscpy(buf, s, sizeof(buf));
	loff_t pos = 0;

	return t->proc_handler(t, 1, buf, &len, &pos);
}

static void template_entries(struct kunit *test)
{
	const struct ctl_table *t;
	size_t i, j;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(nfvs_sysctl_template), NFVS_SYSCTL_COUNT);
	for (i = 0; i < NFVS_SYSCTL_COUNT; i++) {
		t = &nfvs_sysctl_template[i];
		KUNIT_ASSERT_NOT_NULL_MSG(test, t->procname, "entry %zu", i);
		KUNIT_EXPECT_GT_MSG(test, strlen(t->procname), 0, "entry %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, t->mode, 0644, "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, t->maxlen, sizeof(int), "%s", t->procname);
		/*
		 * conntrack's own handler checks its range the same way; a
		 * fixed one (a range of one value) has a handler of its own.
		 */
		if (strcmp(t->procname, "conntrack") &&
		    *(const int *)t->extra1 != *(const int *)t->extra2)
			KUNIT_EXPECT_PTR_EQ_MSG(test, t->proc_handler,
						&proc_dointvec_minmax, "%s",
						t->procname);
		KUNIT_EXPECT_NOT_NULL_MSG(test, t->extra1, "%s", t->procname);
		KUNIT_EXPECT_NOT_NULL_MSG(test, t->extra2, "%s", t->procname);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, t->procname,
					    nfvs_sysctl_template[j].procname);
	}
}

/* Every .data is the offset of its own int in nfvs_net.sysctl. */
static void template_offsets(struct kunit *test)
{
	size_t i, j, off;

	for (i = 0; i < NFVS_SYSCTL_COUNT; i++) {
		const struct ctl_table *t = &nfvs_sysctl_template[i];

		off = sysctl_offset(t);
		KUNIT_EXPECT_GE_MSG(test, off, NFVS_SYSCTL_FIRST, "%s", t->procname);
		KUNIT_EXPECT_LE_MSG(test, off + sizeof(int), NFVS_SYSCTL_END,
				    "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, off % sizeof(int), 0, "%s", t->procname);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE_MSG(test, off,
					    sysctl_offset(&nfvs_sysctl_template[j]),
					    "%s", t->procname);
	}
}

/* Every default is in range; a field the defaults forget is not (-1). */
static void defaults_in_range(struct kunit *test)
{
	struct nfvs_net *nn;
	size_t i;
	int v;

	nn = kunit_kmalloc(test, sizeof(*nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nn);
	memset(nn, 0xff, sizeof(*nn));
	nfvs_sysctl_defaults(&nn->sysctl);
	for (i = 0; i < NFVS_SYSCTL_COUNT; i++) {
		const struct ctl_table *t = &nfvs_sysctl_template[i];
		int min = *(const int *)t->extra1, max = *(const int *)t->extra2;

		v = sysctl_value(nn, t);
		KUNIT_EXPECT_LE_MSG(test, min, v, "%s", t->procname);
		KUNIT_EXPECT_LE_MSG(test, v, max, "%s", t->procname);
	}
}

/* IPVS's names and defaults; ranges are the values that mean something. */
static void documented_values(struct kunit *test)
{
	static const struct {
		const char *name;
		int def, min, max;
	} want[] = {
		/* What nfvs does not do: fixed at the value of what it does. */
		{ "amemthresh", 1024, 1024, 1024 },
		{ "drop_entry", 0, 0, 0 },
		{ "drop_packet", 0, 0, 0 },
		{ "conntrack", 0, 0, 1 },
		{ "secure_tcp", 0, 0, 0 },
		{ "snat_reroute", 1, 0, 1 },
		{ "expire_nodest_conn", 0, 0, 1 },
		{ "sloppy_tcp", 0, 0, 0 },
		{ "expire_quiescent_template", 0, 0, 1 },
		{ "nat_icmp_send", 0, 0, 0 },
		{ "pmtu_disc", 1, 1, 1 },
		{ "conn_reuse_mode", 1, 0, 3 },
		{ "schedule_icmp", 0, 0, 0 },
		/* nfvs's own; its default depends on the RAM (below). */
		{ "conn_max", 0, 1, INT_MAX },
	};
	struct nfvs_net *nn;
	size_t i, j;

	KUNIT_ASSERT_EQ(test, NFVS_SYSCTL_COUNT, ARRAY_SIZE(want));
	nn = kunit_kmalloc(test, sizeof(*nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nn);
	memset(nn, 0xff, sizeof(*nn));
	nfvs_sysctl_defaults(&nn->sysctl);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct ctl_table *t = NULL;

		for (j = 0; j < NFVS_SYSCTL_COUNT; j++)
			if (!strcmp(nfvs_sysctl_template[j].procname, want[i].name))
				t = &nfvs_sysctl_template[j];
		KUNIT_ASSERT_NOT_NULL_MSG(test, t, "no sysctl %s", want[i].name);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_value(nn, t),
				    strcmp(want[i].name, "conn_max") ? want[i].def :
				    nfvs_conn_max_default(), "%s", want[i].name);
		KUNIT_EXPECT_EQ_MSG(test, *(const int *)t->extra1, want[i].min,
				    "%s", want[i].name);
		KUNIT_EXPECT_EQ_MSG(test, *(const int *)t->extra2, want[i].max,
				    "%s", want[i].name);
	}
}

static void write_minmax(struct kunit *test)
{
	struct ctl_table *tbl;
	struct nfvs_net *nn;
	char s[16];
	int bad;
	size_t i;

	tbl = sysctl_table(test, &nn);
	for (i = 0; i < NFVS_SYSCTL_COUNT; i++) {
		const struct ctl_table *tmpl = &nfvs_sysctl_template[i];
		struct ctl_table *t = &tbl[i];
		int min = *(const int *)t->extra1, max = *(const int *)t->extra2;

		snprintf(s, sizeof(s), "%d", max);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_write(t, s), 0, "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_value(nn, tmpl), max, "%s", t->procname);
		snprintf(s, sizeof(s), "%d\n", min);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_write(t, s), 0, "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_value(nn, tmpl), min, "%s", t->procname);

		/* A fixed one: not supported, rather than out of range. */
		bad = min == max ? -EOPNOTSUPP : -EINVAL;
		if (max < INT_MAX) {
			snprintf(s, sizeof(s), "%d", max + 1);
			KUNIT_EXPECT_EQ_MSG(test, sysctl_write(t, s), bad,
					    "%s", t->procname);
		}
		if (min > INT_MIN) {
			snprintf(s, sizeof(s), "%d", min - 1);
			KUNIT_EXPECT_EQ_MSG(test, sysctl_write(t, s), bad,
					    "%s", t->procname);
		}
		KUNIT_EXPECT_EQ_MSG(test, sysctl_write(t, "x"), -EINVAL,
				    "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, sysctl_value(nn, tmpl), min, "%s", t->procname);
	}
}

static void read_value(struct kunit *test)
{
	struct ctl_table *tbl;
	struct nfvs_net *nn;
	char buf[32], want[16];
	size_t i, len;
	loff_t pos;

	tbl = sysctl_table(test, &nn);
	for (i = 0; i < NFVS_SYSCTL_COUNT; i++) {
		struct ctl_table *t = &tbl[i];

		*(int *)t->data = *(const int *)t->extra2;
		snprintf(want, sizeof(want), "%d\n", *(const int *)t->extra2);
		len = sizeof(buf);
		pos = 0;
		KUNIT_EXPECT_EQ(test, t->proc_handler(t, 0, buf, &len, &pos), 0);
		KUNIT_ASSERT_EQ_MSG(test, len, strlen(want), "%s", t->procname);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf, want, len), 0,
				    "%s", t->procname);
	}
}

/*
 * nfvs_sysctl_net_init() points the registered table at the namespace's
 * values. In init_net, which the module has not set up yet when KUnit runs.
 */
static void register_init_net(struct kunit *test)
{
	const struct ctl_table *t = &nfvs_sysctl_template[0];
	struct nfvs_sysctl_dir *dir;
	struct nfvs_net *nn;
	char s[16];
	size_t i;

	if (nfvs_net_id)
		kunit_skip(test, "init_net has net/nfvs already");
	nn = kunit_kzalloc(test, sizeof(*nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nn);
	nn->net = &init_net;
	nfvs_sysctl_defaults(&nn->sysctl);

	KUNIT_ASSERT_EQ(test, nfvs_sysctl_net_init(nn, NFVS_SYSCTL_NFVS), 0);
	dir = &nn->sysctl_dirs[NFVS_SYSCTL_NFVS];
	KUNIT_EXPECT_NOT_NULL(test, dir->hdr);
	for (i = 0; i < NFVS_SYSCTL_COUNT; i++)
		KUNIT_EXPECT_PTR_EQ(test, dir->table[i].data,
				    (void *)((char *)nn +
					     sysctl_offset(&nfvs_sysctl_template[i])));
	snprintf(s, sizeof(s), "%d", *(const int *)t->extra2);
	KUNIT_EXPECT_EQ(test, sysctl_write(&dir->table[0], s), 0);
	KUNIT_EXPECT_EQ(test, sysctl_value(nn, t), *(const int *)t->extra2);
	nfvs_sysctl_net_exit(nn, NFVS_SYSCTL_NFVS);
}

static struct kunit_case nfvs_sysctl_cases[] = {
	KUNIT_CASE(template_entries),
	KUNIT_CASE(template_offsets),
	KUNIT_CASE(defaults_in_range),
	KUNIT_CASE(documented_values),
	KUNIT_CASE(write_minmax),
	KUNIT_CASE(read_value),
	KUNIT_CASE(register_init_net),
	{}
};

static struct kunit_suite nfvs_sysctl_suite = {
	.name = "nfvs_sysctl",
	.test_cases = nfvs_sysctl_cases,
};

kunit_test_suites(&nfvs_sysctl_suite);
