// SPDX-License-Identifier: GPL-2.0
/*
 * Sysctls, one set per network namespace, under net/nfvs and, with
 * ipvs_compat, the same values under net/ipv4/vs. Names and defaults are
 * those of IPVS; ranges are the values that mean something (IPVS accepts
 * any integer for its on/off switches). The template's .data holds the
 * offset of each value inside struct nfvs_net; every directory of every
 * namespace gets a copy pointing at that namespace's values.
 */
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/user_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <uapi/linux/nfvs.h>

#include "sysctl.h"

#define NFVS_SYSCTL_OFFSET(field) \
	((void *)offsetof(struct nfvs_net, sysctl.field))

#define NFVS_SYSCTL_INT(name, min, max) {				\
		.procname = #name,					\
		.data = NFVS_SYSCTL_OFFSET(name),			\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = proc_dointvec_minmax,			\
		.extra1 = (min),					\
		.extra2 = (max),					\
	}

/*
 * conntrack=1 also has conntrack run in the namespace, as a conntrack match
 * would, so that every nfvs connection gets an entry; 0 lets it go again.
 */
static int nfvs_sysctl_conntrack(nfvs_ctl_table *table, int write,
				 void *buffer, size_t *lenp, loff_t *ppos)
{
	struct nfvs_net *nn = container_of((int *)table->data, struct nfvs_net,
					   sysctl.conntrack);
	int err;

	mutex_lock(&nn->services.mutex);
	err = proc_dointvec_minmax(table, write, buffer, lenp, ppos);
	if (!err && write)
		err = nfvs_sysctl_conntrack_hold(nn);
	mutex_unlock(&nn->services.mutex);
	return err;
}

/* Holds conntrack in the namespace while the sysctl is 1; under mutex. */
int nfvs_sysctl_conntrack_hold(struct nfvs_net *nn)
{
	bool want = READ_ONCE(nn->sysctl.conntrack);
	int err;

	if (want == nn->conntrack_held)
		return 0;
	if (want) {
		err = nf_ct_netns_get(nn->net, NFPROTO_IPV4);
		if (err) {
			WRITE_ONCE(nn->sysctl.conntrack, 0);
			return err;
		}
	} else {
		nf_ct_netns_put(nn->net, NFPROTO_IPV4);
	}
	WRITE_ONCE(nn->conntrack_held, want);
	return 0;
}

const struct ctl_table nfvs_sysctl_template[NFVS_SYSCTL_COUNT] = {
	/* Free memory (pages) below which the defense modes engage. */
	NFVS_SYSCTL_INT(amemthresh, SYSCTL_ZERO, SYSCTL_INT_MAX),
	/* Defense modes: 0 off, 1 and 2 automatic, 3 always. */
	NFVS_SYSCTL_INT(drop_entry, SYSCTL_ZERO, SYSCTL_THREE),
	NFVS_SYSCTL_INT(drop_packet, SYSCTL_ZERO, SYSCTL_THREE),
	/* 1: every nfvs connection has a confirmed conntrack entry. */
	{
		.procname = "conntrack",
		.data = NFVS_SYSCTL_OFFSET(conntrack),
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = nfvs_sysctl_conntrack,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_ONE,
	},
	NFVS_SYSCTL_INT(secure_tcp, SYSCTL_ZERO, SYSCTL_THREE),
	/* Re-route NAT replies after SNAT by the real server's address. */
	NFVS_SYSCTL_INT(snat_reroute, SYSCTL_ZERO, SYSCTL_ONE),
	/* Drop the connections of a removed destination at once. */
	NFVS_SYSCTL_INT(expire_nodest_conn, SYSCTL_ZERO, SYSCTL_ONE),
	/* Create connections from mid-stream TCP packets too. */
	NFVS_SYSCTL_INT(sloppy_tcp, SYSCTL_ZERO, SYSCTL_ONE),
	/* Expire persistence templates of a quiesced destination. */
	NFVS_SYSCTL_INT(expire_quiescent_template, SYSCTL_ZERO, SYSCTL_ONE),
	/* Answer packets for missing NAT connections with ICMP. */
	NFVS_SYSCTL_INT(nat_icmp_send, SYSCTL_ZERO, SYSCTL_ONE),
	/* Honour DF: send frag-needed instead of fragmenting. */
	NFVS_SYSCTL_INT(pmtu_disc, SYSCTL_ZERO, SYSCTL_ONE),
	/* How a reused client port is handled (bit mask, IPVS's values). */
	NFVS_SYSCTL_INT(conn_reuse_mode, SYSCTL_ZERO,
			SYSCTL_THREE),
	/* Schedule ICMP packets that open no connection of their own. */
	NFVS_SYSCTL_INT(schedule_icmp, SYSCTL_ZERO, SYSCTL_ONE),
};

void nfvs_sysctl_defaults(struct nfvs_sysctl *s)
{
	*s = (struct nfvs_sysctl) {
		.amemthresh = 1024,
		.snat_reroute = 1,
		.pmtu_disc = 1,
		.conn_reuse_mode = 1,
	};
}

static const char *const nfvs_sysctl_paths[] = {
	[NFVS_SYSCTL_NFVS] = NFVS_SYSCTL_DIR,
	[NFVS_SYSCTL_IPVS] = NFVS_IPVS_SYSCTL_DIR,
};

int nfvs_sysctl_net_init(struct nfvs_net *nn, enum nfvs_sysctl_dir_id id)
{
	struct nfvs_sysctl_dir *dir = &nn->sysctl_dirs[id];
	struct ctl_table *tbl;
	size_t i;

	tbl = kmemdup(nfvs_sysctl_template, sizeof(nfvs_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(nfvs_sysctl_template); i++) {
		tbl[i].data = (char *)nn + (uintptr_t)tbl[i].data;
		/* Read-only where the netns belongs to another user namespace. */
		if (nn->net->user_ns != &init_user_ns && !nfvs_userns_admin)
			tbl[i].mode &= 0444;
	}

	dir->hdr = register_net_sysctl_sz(nn->net, nfvs_sysctl_paths[id], tbl,
					  ARRAY_SIZE(nfvs_sysctl_template));
	if (!dir->hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	dir->table = tbl;
	return 0;
}

void nfvs_sysctl_net_exit(struct nfvs_net *nn, enum nfvs_sysctl_dir_id id)
{
	struct nfvs_sysctl_dir *dir = &nn->sysctl_dirs[id];

	unregister_net_sysctl_table(dir->hdr);
	kfree(dir->table);
	dir->hdr = NULL;
	dir->table = NULL;
}
