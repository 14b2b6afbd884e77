// SPDX-License-Identifier: GPL-2.0
/*
 * Sysctls, one set per network namespace, under net/nfvs and, with
 * ipvs_compat, the same values under net/ipv4/vs. Names and defaults are
 * those of IPVS; ranges are the values that mean something (IPVS accepts
 * any integer for its on/off switches). A sysctl whose IPVS behaviour nfvs
 * does not have is fixed at the default that describes what nfvs does:
 * any other value is refused (EOPNOTSUPP), never taken and ignored. The
 * template's .data holds the offset of each value inside struct nfvs_net;
 * every directory of every namespace gets a copy pointing at that
 * namespace's values.
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

#define NFVS_SYSCTL_HANDLER(name, handler, min, max) {			\
		.procname = #name,					\
		.data = NFVS_SYSCTL_OFFSET(name),			\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = (handler),				\
		.extra1 = (min),					\
		.extra2 = (max),					\
	}

#define NFVS_SYSCTL_INT(name, min, max)					\
	NFVS_SYSCTL_HANDLER(name, proc_dointvec_minmax, min, max)

static const int nfvs_amemthresh_default = 1024;

/*
 * A fixed sysctl (nfvs_sysctl_fixed as the handler): read as IPVS has it,
 * with only the value of what nfvs does, its range (extra1 and extra2).
 * A write of the fixed value succeeds (sysctl.conf files written for IPVS
 * with the defaults load); any other integer fails with EOPNOTSUPP, so
 * that a defence mode or a behaviour nfvs lacks is never believed on.
 */
static int nfvs_sysctl_fixed(nfvs_ctl_table *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = *table;
	int val, err;

	if (!write)
		return proc_dointvec(table, write, buffer, lenp, ppos);
	tmp.data = &val;
	err = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (err)
		return err;
	if (val != *(const int *)table->extra1)
		return -EOPNOTSUPP;
	WRITE_ONCE(*(int *)table->data, val);
	return 0;
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
	/* No defence modes (Documentation/sysctl.rst): fixed at "off". */
	NFVS_SYSCTL_HANDLER(amemthresh, nfvs_sysctl_fixed,
			    (void *)&nfvs_amemthresh_default,
			    (void *)&nfvs_amemthresh_default),
	NFVS_SYSCTL_HANDLER(drop_entry, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
	NFVS_SYSCTL_HANDLER(drop_packet, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
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
	NFVS_SYSCTL_HANDLER(secure_tcp, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
	/* Route NAT replies again once they come from the VIP. */
	NFVS_SYSCTL_INT(snat_reroute, SYSCTL_ZERO, SYSCTL_ONE),
	/* Drop the connections of a removed destination at once. */
	NFVS_SYSCTL_INT(expire_nodest_conn, SYSCTL_ZERO, SYSCTL_ONE),
	/* Connections open on a SYN only. */
	NFVS_SYSCTL_HANDLER(sloppy_tcp, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
	/* Expire persistence templates of a quiesced destination. */
	NFVS_SYSCTL_INT(expire_quiescent_template, SYSCTL_ZERO, SYSCTL_ONE),
	/* Packets of unknown NAT flows pass on, unanswered. */
	NFVS_SYSCTL_HANDLER(nat_icmp_send, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
	/* DF is honoured: frag-needed, not fragmentation. */
	NFVS_SYSCTL_HANDLER(pmtu_disc, nfvs_sysctl_fixed, SYSCTL_ONE,
			    SYSCTL_ONE),
	/* How a reused client port is handled (bit mask, IPVS's values). */
	NFVS_SYSCTL_INT(conn_reuse_mode, SYSCTL_ZERO,
			SYSCTL_THREE),
	/* ICMP that opens no connection of its own is not scheduled. */
	NFVS_SYSCTL_HANDLER(schedule_icmp, nfvs_sysctl_fixed, SYSCTL_ZERO,
			    SYSCTL_ZERO),
	/*
	 * nfvs's own, not IPVS's (so last: net/ipv4/vs stops before it):
	 * the most connections the namespace keeps (src/conn.c).
	 */
	NFVS_SYSCTL_INT(conn_max, SYSCTL_ONE, SYSCTL_INT_MAX),
};

void nfvs_sysctl_defaults(struct nfvs_sysctl *s)
{
	*s = (struct nfvs_sysctl) {
		.amemthresh = 1024,
		.snat_reroute = 1,
		.pmtu_disc = 1,
		.conn_reuse_mode = 1,
		.conn_max = nfvs_conn_max_default(),
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
					  id == NFVS_SYSCTL_IPVS ?
					  NFVS_SYSCTL_IPVS_COUNT :
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
