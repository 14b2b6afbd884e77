/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_HOOKS_H
#define _NFVS_HOOKS_H

#include <linux/netfilter.h>

#define NFVS_HOOK_COUNT 4

extern const struct nf_hook_ops nfvs_hook_ops[NFVS_HOOK_COUNT];

int nfvs_hooks_net_init(struct net *net);
void nfvs_hooks_net_exit(struct net *net);

#endif /* _NFVS_HOOKS_H */
