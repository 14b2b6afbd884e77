/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_PROC_H
#define _NFVS_PROC_H

#include "netns.h"

int nfvs_proc_net_init(struct net *net, const char *prefix);
void nfvs_proc_net_exit(struct net *net, const char *prefix);
int nfvs_proc_conn_init(struct net *net, const char *name);

#endif /* _NFVS_PROC_H */
