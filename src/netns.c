// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state, in two layers. The core (tables, net/nfvs sysctls,
 * hooks) is registered first. The names that depend on ipvs_compat
 * (/proc/net/ip_vs* or /proc/net/nfvs*, and net/ipv4/vs) come after the
 * generic netlink families, once nfvs knows that the IPVS names are free.
 */
#include <linux/module.h>

#include "hooks.h"
#include "netns.h"
#include "nfct.h"
#include "proc.h"
#include "sysctl.h"

unsigned int nfvs_net_id __read_mostly;

static int __net_init nfvs_net_init(struct net *net)
{
	struct nfvs_net *nn = nfvs_net(net);
	int err;

	nn->net = net;
	nfvs_sysctl_defaults(&nn->sysctl);
	nfvs_services_init(&nn->services);
	nn->timeouts = (struct nfvs_timeouts) {
		.tcp = 15 * 60, .tcp_fin = 2 * 60, .udp = 5 * 60,
	};

	err = nfvs_stats_init(&nn->tot_stats);
	if (err)
		goto err_stats;
	err = nfvs_conns_init(nn);
	if (err)
		goto err_conns;
	err = nfvs_sysctl_net_init(nn, NFVS_SYSCTL_NFVS);
	if (err)
		goto err_sysctl;
	err = nfvs_hooks_net_init(net);
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	nfvs_sysctl_net_exit(nn, NFVS_SYSCTL_NFVS);
err_sysctl:
	nfvs_conns_exit(nn);
err_conns:
	nfvs_stats_free(&nn->tot_stats);
err_stats:
	return err;
}

static void __net_exit nfvs_net_exit(struct net *net)
{
	struct nfvs_net *nn = nfvs_net(net);

	nfvs_hooks_net_exit(net);
	nfvs_conns_exit(nn);
	nfvs_nfct_net_exit(nn);
	mutex_lock(&nn->services.mutex);
	nfvs_services_flush(nn);
	mutex_unlock(&nn->services.mutex);
	nfvs_sysctl_net_exit(nn, NFVS_SYSCTL_NFVS);
	/* No sysctl write can come any more. */
	WRITE_ONCE(nn->sysctl.conntrack, 0);
	nfvs_sysctl_conntrack_hold(nn);
	nfvs_stats_free(&nn->tot_stats);
}

static struct pernet_operations nfvs_net_ops = {
	.init = nfvs_net_init,
	.exit = nfvs_net_exit,
	.id = &nfvs_net_id,
	.size = sizeof(struct nfvs_net),
};

static const char *nfvs_proc_prefix(void)
{
	return nfvs_ipvs_compat ? "ip_vs" : "nfvs";
}

static int __net_init nfvs_names_net_init(struct net *net)
{
	struct nfvs_net *nn = nfvs_net(net);
	int err;

	err = nfvs_proc_net_init(net, nfvs_proc_prefix());
	if (err)
		goto err_proc;
	if (nfvs_ipvs_compat) {
		err = nfvs_sysctl_net_init(nn, NFVS_SYSCTL_IPVS);
		if (err)
			goto err_sysctl;
	}
	return 0;

err_sysctl:
	nfvs_proc_net_exit(net, nfvs_proc_prefix());
err_proc:
	return err;
}

static void __net_exit nfvs_names_net_exit(struct net *net)
{
	if (nfvs_ipvs_compat)
		nfvs_sysctl_net_exit(nfvs_net(net), NFVS_SYSCTL_IPVS);
	nfvs_proc_net_exit(net, nfvs_proc_prefix());
}

static struct pernet_operations nfvs_names_net_ops = {
	.init = nfvs_names_net_init,
	.exit = nfvs_names_net_exit,
};

int nfvs_netns_register(void)
{
	return register_pernet_subsys(&nfvs_net_ops);
}

void nfvs_netns_unregister(void)
{
	unregister_pernet_subsys(&nfvs_net_ops);
}

int nfvs_netns_names_register(void)
{
	return register_pernet_subsys(&nfvs_names_net_ops);
}

void nfvs_netns_names_unregister(void)
{
	unregister_pernet_subsys(&nfvs_names_net_ops);
}
