/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_NETNS_H
#define _NFVS_NETNS_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "conn.h"
#include "service.h"
#include "stats.h"

struct ctl_table;
struct ctl_table_header;

/* One value per sysctl; see sysctl.c for names, defaults and ranges. */
struct nfvs_sysctl {
	int amemthresh;
	int drop_entry;
	int drop_packet;
	int conntrack;
	int secure_tcp;
	int snat_reroute;
	int expire_nodest_conn;
	int sloppy_tcp;
	int expire_quiescent_template;
	int nat_icmp_send;
	int pmtu_disc;
	int conn_reuse_mode;
	int schedule_icmp;
	int conn_max;		/* nfvs's own: last */
};

/* Connection timeouts settable through the control plane, in seconds. */
struct nfvs_timeouts {
	u32 tcp;
	u32 tcp_fin;
	u32 udp;
};

/* A sysctl directory: net/nfvs, and net/ipv4/vs with ipvs_compat. */
struct nfvs_sysctl_dir {
	struct ctl_table *table;
	struct ctl_table_header *hdr;
};

struct nfvs_net {
	struct net *net;
	struct nfvs_sysctl sysctl;
	bool conntrack_held;	/* nf_ct_netns_get() for sysctl.conntrack */
	bool nfct_bound;	/* a conntrack entry has held a connection */
	struct nfvs_sysctl_dir sysctl_dirs[2];
	struct nfvs_services services;
	struct nfvs_conns conns;
	struct nfvs_timeouts timeouts;
	struct nfvs_stats tot_stats;
};

/* Connection table buckets reported to ipvsadm (IPVS reports 4096). */
#define NFVS_CONN_TAB_SIZE 4096

extern unsigned int nfvs_net_id;

/* Module parameter: also offer the IPVS names (main.c). */
extern bool nfvs_ipvs_compat;
/* Module parameter: a netns's own user namespace may configure it (main.c). */
extern bool nfvs_userns_admin;

static inline struct nfvs_net *nfvs_net(const struct net *net)
{
	return net_generic(net, nfvs_net_id);
}

int nfvs_netns_register(void);
void nfvs_netns_unregister(void);
int nfvs_netns_names_register(void);
void nfvs_netns_names_unregister(void);

#endif /* _NFVS_NETNS_H */
