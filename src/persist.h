/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_PERSIST_H
#define _NFVS_PERSIST_H

#include <linux/skbuff.h>

struct nfvs_conn;
struct nfvs_dest;
struct nfvs_flow;
struct nfvs_net;
struct nfvs_service;

/*
 * The destination of a new connection to a persistent service, and in
 * *tplp the template that chose it (referenced; NULL if none could be
 * made). Packet path, under rcu_read_lock().
 */
struct nfvs_dest *nfvs_persist_schedule(struct nfvs_net *nn,
					struct nfvs_service *svc,
					struct sk_buff *skb,
					const struct nfvs_flow *flow,
					struct nfvs_conn **tplp);

#endif /* _NFVS_PERSIST_H */
