// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper, not part of nfvs: /proc/net/nfvs_hookdump lists the IPv4
 * netfilter hooks of the reader's network namespace, one per line as
 * "<hook> <priority> <function> [<module>]", in the order packets meet them.
 * It gives selftests what `nft list hooks ip` gives on kernels that have
 * nfnetlink_hook (Debian's 6.1 does not).
 *
 * /sys/module/nfvs_hookdump/parameters/live_netns counts the namespaces
 * whose teardown has not run yet, so tests can tell that deleted namespaces
 * are really destroyed and nothing pins them.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

static const char *const hookdump_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

static atomic_t hookdump_live_netns = ATOMIC_INIT(0);

static int hookdump_live_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hookdump_live_netns));
}

static const struct kernel_param_ops hookdump_live_ops = {
	.get = hookdump_live_get,
};

module_param_cb(live_netns, &hookdump_live_ops, NULL, 0444);

static int hookdump_show(struct seq_file *m, void *v)
{
	struct net *net = seq_file_single_net(m);
	const struct nf_hook_entries *e;
	struct nf_hook_ops **ops;
	unsigned int h, i;

	rcu_read_lock();
	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		e = rcu_dereference(net->nf.hooks_ipv4[h]);
		if (!e)
			continue;
		ops = nf_hook_entries_get_hook_ops(e);
		for (i = 0; i < e->num_hook_entries; i++)
			seq_printf(m, "%s %d %ps\n", hookdump_names[h],
				   ops[i]->priority, ops[i]->hook);
	}
	rcu_read_unlock();
	return 0;
}

static int __net_init hookdump_net_init(struct net *net)
{
	if (!proc_create_net_single("nfvs_hookdump", 0444, net->proc_net,
				    hookdump_show, NULL))
		return -ENOMEM;
	atomic_inc(&hookdump_live_netns);
	return 0;
}

static void __net_exit hookdump_net_exit(struct net *net)
{
	remove_proc_entry("nfvs_hookdump", net->proc_net);
	atomic_dec(&hookdump_live_netns);
}

static struct pernet_operations hookdump_net_ops = {
	.init = hookdump_net_init,
	.exit = hookdump_net_exit,
};

static int __init hookdump_init(void)
{
	return register_pernet_subsys(&hookdump_net_ops);
}

static void __exit hookdump_exit(void)
{
	unregister_pernet_subsys(&hookdump_net_ops);
}

module_init(hookdump_init);
module_exit(hookdump_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nfvs selftest helper: list IPv4 netfilter hooks");
