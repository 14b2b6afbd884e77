/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_NETNS_H
#define _NFVS_NETNS_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct ctl_table;
struct ctl_table_header;

struct nfvs_sysctl {
	int conntrack;
};

struct nfvs_net {
	struct net *net;
	struct nfvs_sysctl sysctl;
	struct ctl_table *sysctl_table;
	struct ctl_table_header *sysctl_hdr;
};

extern unsigned int nfvs_net_id;

static inline struct nfvs_net *nfvs_net(const struct net *net)
{
	return net_generic(net, nfvs_net_id);
}

int nfvs_netns_register(void);
void nfvs_netns_unregister(void);

#endif /* _NFVS_NETNS_H */
