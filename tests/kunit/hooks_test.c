// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of nfvs's netfilter hooks: the table of src/hooks.c against
 * the contract of include/uapi/linux/nfvs.h, and its registration with the
 * netfilter core.
 */
#include <kunit/test.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include <uapi/linux/nfvs.h>

#include "hooks.h"

/* Indices into nfvs_hook_ops[]. */
enum { NFVS_OPS_IN, NFVS_OPS_FWD_ICMP, NFVS_OPS_OUT, NFVS_OPS_POST };

static void ops_table(struct kunit *test)
{
	static const struct {
		unsigned int hooknum;
		int priority;
	} want[] = {
		[NFVS_OPS_IN] = { NF_INET_LOCAL_IN, 100 },
		[NFVS_OPS_FWD_ICMP] = { NF_INET_FORWARD, 99 },
		[NFVS_OPS_OUT] = { NF_INET_FORWARD, 100 },
		[NFVS_OPS_POST] = { NF_INET_POST_ROUTING, 99 },
	};
	size_t i;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(nfvs_hook_ops), ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct nf_hook_ops *ops = &nfvs_hook_ops[i];

		KUNIT_EXPECT_EQ_MSG(test, ops->pf, NFPROTO_IPV4, "ops %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, ops->hooknum, want[i].hooknum,
				    "ops %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, ops->priority, want[i].priority,
				    "ops %zu", i);
	}
}

static void uapi_priorities(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, NFVS_PRI_IN, 100);
	KUNIT_EXPECT_EQ(test, NFVS_PRI_FWD_ICMP, 99);
	KUNIT_EXPECT_EQ(test, NFVS_PRI_OUT, 100);
	KUNIT_EXPECT_EQ(test, NFVS_PRI_POST, 99);
	KUNIT_EXPECT_EQ(test, NFVS_PRI_IN, NF_IP_PRI_NAT_SRC);
	KUNIT_EXPECT_EQ(test, NFVS_PRI_POST, NF_IP_PRI_NAT_SRC - 1);
}

static void ops_functions(struct kunit *test)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(nfvs_hook_ops); i++) {
		KUNIT_EXPECT_NOT_NULL_MSG(test, nfvs_hook_ops[i].hook,
					  "ops %zu", i);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE_MSG(test, nfvs_hook_ops[i].hook,
						nfvs_hook_ops[j].hook,
						"ops %zu and %zu", j, i);
	}
}

static void forward_order(struct kunit *test)
{
	const struct nf_hook_ops *icmp = &nfvs_hook_ops[NFVS_OPS_FWD_ICMP];
	const struct nf_hook_ops *out = &nfvs_hook_ops[NFVS_OPS_OUT];

	KUNIT_ASSERT_EQ(test, icmp->hooknum, NF_INET_FORWARD);
	KUNIT_ASSERT_EQ(test, out->hooknum, NF_INET_FORWARD);
	KUNIT_EXPECT_LT(test, icmp->priority, out->priority);
}

static void post_routing_before_snat(struct kunit *test)
{
	const struct nf_hook_ops *post = &nfvs_hook_ops[NFVS_OPS_POST];

	KUNIT_ASSERT_EQ(test, post->hooknum, NF_INET_POST_ROUTING);
	KUNIT_EXPECT_LT(test, post->priority, NF_IP_PRI_NAT_SRC);
}

/*
 * How often @ops->hook is in the hook chain of @net, and its first position
 * there (-1 if absent).
 */
static int nfvs_hooks_find(struct net *net, const struct nf_hook_ops *ops,
			   int *first)
{
	const struct nf_hook_entries *e;
	int i, n = 0;

	*first = -1;
	rcu_read_lock();
	e = rcu_dereference(net->nf.hooks_ipv4[ops->hooknum]);
	for (i = 0; e && i < e->num_hook_entries; i++) {
		if (e->hooks[i].hook != ops->hook)
			continue;
		if (!n++)
			*first = i;
	}
	rcu_read_unlock();
	return n;
}

/*
 * The netfilter core accepts the table, and sorts the FORWARD hooks by
 * priority. Any registration the module itself made is counted out.
 */
static void register_init_net(struct kunit *test)
{
	int before[NFVS_HOOK_COUNT], icmp, out, pos;
	size_t i;

	for (i = 0; i < NFVS_HOOK_COUNT; i++)
		before[i] = nfvs_hooks_find(&init_net, &nfvs_hook_ops[i], &pos);

	KUNIT_ASSERT_EQ(test, nfvs_hooks_net_init(&init_net), 0);
	for (i = 0; i < NFVS_HOOK_COUNT; i++)
		KUNIT_EXPECT_EQ_MSG(test, nfvs_hooks_find(&init_net,
							  &nfvs_hook_ops[i],
							  &pos),
				    before[i] + 1, "ops %zu", i);
	nfvs_hooks_find(&init_net, &nfvs_hook_ops[NFVS_OPS_FWD_ICMP], &icmp);
	nfvs_hooks_find(&init_net, &nfvs_hook_ops[NFVS_OPS_OUT], &out);
	KUNIT_EXPECT_GE(test, icmp, 0);
	KUNIT_EXPECT_LT(test, icmp, out);

	nfvs_hooks_net_exit(&init_net);
	for (i = 0; i < NFVS_HOOK_COUNT; i++)
		KUNIT_EXPECT_EQ_MSG(test, nfvs_hooks_find(&init_net,
							  &nfvs_hook_ops[i],
							  &pos),
				    before[i], "ops %zu", i);
}

static struct kunit_case nfvs_hooks_cases[] = {
	KUNIT_CASE(ops_table),
	KUNIT_CASE(uapi_priorities),
	KUNIT_CASE(ops_functions),
	KUNIT_CASE(forward_order),
	KUNIT_CASE(post_routing_before_snat),
	KUNIT_CASE(register_init_net),
	{}
};

static struct kunit_suite nfvs_hooks_suite = {
	.name = "nfvs_hooks",
	.test_cases = nfvs_hooks_cases,
};

kunit_test_suites(&nfvs_hooks_suite);
