// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/nfvs: one table per network namespace. The template's .data
 * holds the offset of each value inside struct nfvs_net; every namespace
 * gets a copy pointing at its own values.
 */
#include <linux/slab.h>
#include <linux/stddef.h>
#include <uapi/linux/nfvs.h>

#include "sysctl.h"

#define NFVS_SYSCTL_OFFSET(field) \
	((void *)offsetof(struct nfvs_net, sysctl.field))

const struct ctl_table nfvs_sysctl_template[NFVS_SYSCTL_COUNT] = {
	{
		.procname = "conntrack",
		.data = NFVS_SYSCTL_OFFSET(conntrack),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_ONE,
	},
};

void nfvs_sysctl_defaults(struct nfvs_sysctl *s)
{
	s->conntrack = 0;
}

int nfvs_sysctl_net_init(struct nfvs_net *nn)
{
	struct ctl_table *tbl;
	size_t i;

	tbl = kmemdup(nfvs_sysctl_template, sizeof(nfvs_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(nfvs_sysctl_template); i++)
		tbl[i].data = (char *)nn + (uintptr_t)tbl[i].data;

	nn->sysctl_hdr = register_net_sysctl_sz(nn->net, NFVS_SYSCTL_DIR, tbl,
						ARRAY_SIZE(nfvs_sysctl_template));
	if (!nn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	nn->sysctl_table = tbl;
	return 0;
}

void nfvs_sysctl_net_exit(struct nfvs_net *nn)
{
	unregister_net_sysctl_table(nn->sysctl_hdr);
	kfree(nn->sysctl_table);
}
