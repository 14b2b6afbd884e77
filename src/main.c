// SPDX-License-Identifier: GPL-2.0
/*
 * nfvs: an IPVS-style layer-4 load balancer whose connection state lives in
 * netfilter conntrack.
 */
#include <linux/module.h>

#include "netns.h"
#include "version.h"

static int __init nfvs_init(void)
{
	int err;

	err = nfvs_netns_register();
	if (err)
		goto err_netns;

	pr_info("version %s loaded\n", NFVS_VERSION);
	return 0;

err_netns:
	pr_err("cannot register per-namespace state: %d\n", err);
	return err;
}

static void __exit nfvs_exit(void)
{
	nfvs_netns_unregister();
	pr_info("unloaded\n");
}

module_init(nfvs_init);
module_exit(nfvs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nfvs: layer-4 load balancer with netfilter conntrack integration");
MODULE_AUTHOR("The nfvs developers");
MODULE_VERSION(NFVS_VERSION);
