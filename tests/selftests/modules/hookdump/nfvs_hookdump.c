// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper, not part of nfvs: /proc/net/nfvs_hookdump lists the IPv4
 * netfilter hooks of the reader's network namespace, one per line as
 * "<hook> <priority> <function> [<module>]", in the order packets meet them.
 * It gives selftests what `nft list hooks ip` gives on kernels that have
 * nfnetlink_hook (Debian's 6.1 does not).
 *
 * /sys/module/nfvs_hookdump/parameters/live_netns lists the inode numbers
 * (as in /proc/PID/ns/net) of the namespaces whose teardown has not run yet,
 * one per line, so tests can tell that the namespaces they deleted are
 * really destroyed and nothing pins them, whatever other namespaces come
 * and go meanwhile.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

static const char *const hookdump_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

struct hookdump_net {
	struct list_head node;
	unsigned int inum;
};

static unsigned int hookdump_net_id __read_mostly;
static LIST_HEAD(hookdump_live);
static DEFINE_MUTEX(hookdump_live_lock);

static int hookdump_live_get(char *buf, const struct kernel_param *kp)
{
	struct hookdump_net *hn;
	int len = 0;

	mutex_lock(&hookdump_live_lock);
	list_for_each_entry(hn, &hookdump_live, node) {
		/* a page holds some 370 of them; tests use a few dozen */
		if (len > PAGE_SIZE - 16)
			break;
		len += sysfs_emit_at(buf, len, "%u\n", hn->inum);
	}
	mutex_unlock(&hookdump_live_lock);
	return len;
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
	struct hookdump_net *hn = net_generic(net, hookdump_net_id);

	if (!proc_create_net_single("nfvs_hookdump", 0444, net->proc_net,
				    hookdump_show, NULL))
		return -ENOMEM;
	hn->inum = net->ns.inum;
	mutex_lock(&hookdump_live_lock);
	list_add_tail(&hn->node, &hookdump_live);
	mutex_unlock(&hookdump_live_lock);
	return 0;
}

static void __net_exit hookdump_net_exit(struct net *net)
{
	struct hookdump_net *hn = net_generic(net, hookdump_net_id);

	mutex_lock(&hookdump_live_lock);
	list_del(&hn->node);
	mutex_unlock(&hookdump_live_lock);
	remove_proc_entry("nfvs_hookdump", net->proc_net);
}

static struct pernet_operations hookdump_net_ops = {
	.init = hookdump_net_init,
	.exit = hookdump_net_exit,
	.id = &hookdump_net_id,
	.size = sizeof(struct hookdump_net),
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
