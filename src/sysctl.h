/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_SYSCTL_H
#define _NFVS_SYSCTL_H

#include <linux/sysctl.h>

#include "netns.h"

#define NFVS_SYSCTL_COUNT 1

extern const struct ctl_table nfvs_sysctl_template[NFVS_SYSCTL_COUNT];

void nfvs_sysctl_defaults(struct nfvs_sysctl *s);
int nfvs_sysctl_net_init(struct nfvs_net *nn);
void nfvs_sysctl_net_exit(struct nfvs_net *nn);

#endif /* _NFVS_SYSCTL_H */
