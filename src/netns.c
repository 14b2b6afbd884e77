// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

#include "netns.h"
#include "hooks.h"
#include "sysctl.h"

unsigned int nfvs_net_id __read_mostly;

static int __net_init nfvs_net_init(struct net *net)
{
	struct nfvs_net *nn = nfvs_net(net);
	int err;

	nn->net = net;
	nfvs_sysctl_defaults(&nn->sysctl);

	err = nfvs_sysctl_net_init(nn);
	if (err)
		goto err_sysctl;
	err = nfvs_hooks_net_init(net);
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	nfvs_sysctl_net_exit(nn);
err_sysctl:
	return err;
}

static void __net_exit nfvs_net_exit(struct net *net)
{
	struct nfvs_net *nn = nfvs_net(net);

	nfvs_hooks_net_exit(net);
	nfvs_sysctl_net_exit(nn);
}

static struct pernet_operations nfvs_net_ops = {
	.init = nfvs_net_init,
	.exit = nfvs_net_exit,
	.id = &nfvs_net_id,
	.size = sizeof(struct nfvs_net),
};

int nfvs_netns_register(void)
{
	return register_pernet_subsys(&nfvs_net_ops);
}

void nfvs_netns_unregister(void)
{
	unregister_pernet_subsys(&nfvs_net_ops);
}
