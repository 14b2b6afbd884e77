/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_PROC_H
#define _NFVS_PROC_H

#include <linux/seq_file.h>

#include "netns.h"

int nfvs_proc_net_init(struct net *net, const char *prefix);
void nfvs_proc_net_exit(struct net *net, const char *prefix);
int nfvs_proc_conn_init(struct net *net, const char *name);

/*
 * An open connection list (proc_conn.c): a walker of the table that keeps
 * its place between reads. Here for the KUnit suite, which drives the
 * seq_file operations itself.
 */
struct nfvs_conn_seq {
	struct net *net;
	struct nfvs_net *nn;
	struct rhashtable_iter walk;
	loff_t pos;			/* of the entry the walker gave last */
	struct nfvs_conn *held;		/* that entry, from stop to start */
};

extern const struct seq_operations nfvs_conn_seq_ops;
void nfvs_conn_seq_enter(struct nfvs_conn_seq *s, struct nfvs_net *nn);
void nfvs_conn_seq_exit(struct nfvs_conn_seq *s);

#endif /* _NFVS_PROC_H */
