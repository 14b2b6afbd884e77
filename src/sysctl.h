/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_SYSCTL_H
#define _NFVS_SYSCTL_H

#include <linux/sysctl.h>

#include "netns.h"

#define NFVS_SYSCTL_COUNT 14
/* The first ones, those IPVS has too: net/ipv4/vs holds only these. */
#define NFVS_SYSCTL_IPVS_COUNT 13

/* Which of nfvs_net.sysctl_dirs a directory lives in. */
enum nfvs_sysctl_dir_id {
	NFVS_SYSCTL_NFVS,	/* net/nfvs */
	NFVS_SYSCTL_IPVS,	/* net/ipv4/vs, with ipvs_compat */
};

extern const struct ctl_table nfvs_sysctl_template[NFVS_SYSCTL_COUNT];

void nfvs_sysctl_defaults(struct nfvs_sysctl *s);
int nfvs_sysctl_conntrack_hold(struct nfvs_net *nn);
int nfvs_sysctl_net_init(struct nfvs_net *nn, enum nfvs_sysctl_dir_id id);
void nfvs_sysctl_net_exit(struct nfvs_net *nn, enum nfvs_sysctl_dir_id id);

#endif /* _NFVS_SYSCTL_H */
