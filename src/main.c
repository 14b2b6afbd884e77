// SPDX-License-Identifier: GPL-2.0
/*
 * nfvs: an IPVS-style layer-4 load balancer whose connection state lives in
 * netfilter conntrack.
 */
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/string.h>

#include "conn.h"
#include "genl.h"
#include "netns.h"
#include "nfct.h"
#include "version.h"

bool nfvs_ipvs_compat __read_mostly = true;
module_param_named(ipvs_compat, nfvs_ipvs_compat, bool, 0444);
MODULE_PARM_DESC(ipvs_compat,
		 "also offer the IPVS interface: genl family IPVS, /proc/net/ip_vs*, net.ipv4.vs (default 1)");

bool nfvs_userns_admin __read_mostly;
module_param_named(userns_admin, nfvs_userns_admin, bool, 0444);
MODULE_PARM_DESC(userns_admin,
		 "let whoever holds CAP_NET_ADMIN over a network namespace (the root of its user namespace) configure nfvs there; by default only CAP_NET_ADMIN in the initial user namespace may (default 0)");

/*
 * In-tree ip_vs would collide with the IPVS names nfvs holds: it creates
 * /proc/net/ip_vs before it finds its netlink family taken, and the kernel
 * warns. Refuse it up front, with the reason.
 */
static int nfvs_module_notify(struct notifier_block *nb, unsigned long state,
			      void *data)
{
	struct module *mod = data;

	if (state != MODULE_STATE_COMING || strcmp(mod->name, "ip_vs"))
		return NOTIFY_DONE;
	pr_err("refusing to load ip_vs: nfvs provides the IPVS interface; unload nfvs or load it with ipvs_compat=0\n");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block nfvs_module_nb = {
	.notifier_call = nfvs_module_notify,
};

static int __init nfvs_init(void)
{
	int err;

	err = nfvs_conn_cache_init();
	if (err)
		goto err_cache;
	err = nfvs_nfct_helpers_register();
	if (err)
		goto err_helpers;
	err = nfvs_netns_register();
	if (err)
		goto err_netns;
	err = nfvs_genl_register(nfvs_ipvs_compat);
	if (err)
		goto err_genl;
	if (nfvs_ipvs_compat) {
		err = register_module_notifier(&nfvs_module_nb);
		if (err)
			goto err_notifier;
	}
	err = nfvs_netns_names_register();
	if (err)
		goto err_names;

	pr_info("version %s loaded%s\n", NFVS_VERSION,
		nfvs_ipvs_compat ? " (IPVS interface on)" : "");
	return 0;

err_names:
	if (nfvs_ipvs_compat)
		unregister_module_notifier(&nfvs_module_nb);
err_notifier:
	nfvs_genl_unregister();
err_genl:
	nfvs_netns_unregister();
err_netns:
	nfvs_nfct_helpers_unregister();
err_helpers:
	nfvs_conn_cache_exit();
err_cache:
	return err;
}

static void __exit nfvs_exit(void)
{
	nfvs_netns_names_unregister();
	if (nfvs_ipvs_compat)
		unregister_module_notifier(&nfvs_module_nb);
	nfvs_genl_unregister();
	nfvs_netns_unregister();
	nfvs_nfct_helpers_unregister();
	/* Services, destinations, connections waiting for a grace period. */
	rcu_barrier();
	nfvs_conn_cache_exit();
	pr_info("unloaded\n");
}

module_init(nfvs_init);
module_exit(nfvs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nfvs: layer-4 load balancer with netfilter conntrack integration");
MODULE_AUTHOR("The nfvs developers");
MODULE_VERSION(NFVS_VERSION);
MODULE_ALIAS_GENL_FAMILY(NFVS_GENL_NAME);
