/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_CONN_H
#define _NFVS_CONN_H

#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <uapi/linux/nfvs.h>

struct nfvs_app;
struct nfvs_net;
struct nfvs_dest;
struct nfvs_service;

/*
 * Connections are found by their client end: the client's packets (to the
 * virtual service) and the real server's NAT replies (to the client) both
 * carry it. Several connections may share one (a client talking to two
 * virtual services from one port), hence an rhltable.
 */
struct nfvs_conn_key {
	union nf_inet_addr caddr;
	__be16 cport;
	u8 protocol;
	u8 af;
};

/* What a new connection is made of. */
struct nfvs_conn_param {
	struct nfvs_conn_key key;
	union nf_inet_addr vaddr;
	__be16 vport;
	union nf_inet_addr daddr;
	__be16 dport;
	u32 fwd;		/* NFVS_FWD_* */
	u16 flags;		/* NFVS_CONN_F_* */
	/* An FTP data connection: its control connection, referenced. */
	struct nfvs_conn *control;
};

/*
 * A connection; its flags are the NFVS_CONN_F_* of the UAPI header.
 * A persistence template: the real server a client (its address under the
 * service's netmask) was given, kept for the service's persistence timeout
 * after the last connection it made. Its key has port 0 and protocol 0, so
 * it never matches a packet. Flags: NFVS_CONN_F_* of the UAPI header.
 */
struct nfvs_conn {
	struct rhlist_head node;
	struct nfvs_conn_key key;
	union nf_inet_addr vaddr;
	union nf_inet_addr daddr;
	__be16 vport;
	__be16 dport;
	u32 fwd;
	u16 flags;
	u8 state;
	bool active;			/* counted as active by its dest */
	bool proven;			/* see nfvs_conn_update() */
	bool replied;			/* UDP: a reply seen; under lock */
	bool unhashed;			/* out of the table: no more timers */
	bool waiting;			/* a data connection not used yet */
	spinlock_t lock;		/* state, timer, unhashed */
	struct timer_list timer;	/* fires at or before expires */
	unsigned long expires;		/* when it ends without traffic */
	unsigned long timeout;		/* a template's, in jiffies */
	refcount_t refcnt;
	struct nfvs_net *nn;
	struct nfvs_dest *dest;
	struct nf_conntrack_zone zone;	/* of its conntrack entry */
	struct nfvs_conn *control;	/* its template, referenced */
	atomic_t n_control;		/* connections it controls */
	atomic_t n_waiting;		/* of those, data ones not used yet */
	const struct nfvs_app *app;	/* its application helper */
	void *app_data;			/* and that helper's state */
	struct rcu_head rcu;
};

/* Locks that serialise the making of connections, hashed by client. */
#define NFVS_CONN_NEW_LOCKS	64

/*
 * What a full table looks through, from a random bucket on, for a
 * connection to end in favour of a new one (as conntrack's early drop
 * does): at most this many connections, in at most this many buckets (the
 * table may be sparse: it shrinks some time after it emptied).
 */
#define NFVS_CONN_EVICT_CONNS	16
#define NFVS_CONN_EVICT_BUCKETS	256

/* The connections of one namespace. */
struct nfvs_conns {
	struct rhltable table;
	spinlock_t new_locks[NFVS_CONN_NEW_LOCKS];	/* nfvs_conn_new_lock() */
	atomic_t count;
	atomic_t no_cport;		/* connections waiting for a port */
	atomic_t apps;			/* connections with a helper */
};

int nfvs_conn_max_default(void);
int nfvs_conn_cache_init(void);
void nfvs_conn_cache_exit(void);
int nfvs_conns_init(struct nfvs_net *nn);
void nfvs_conns_exit(struct nfvs_net *nn);
struct rhashtable_iter *nfvs_conns_cursor_new(struct nfvs_net *nn, gfp_t gfp);
void nfvs_conns_cursor_free(struct rhashtable_iter *iter);
void nfvs_conns_walk_on(struct rhashtable_iter *iter,
			int (*fn)(struct nfvs_conn *cp, void *arg), void *arg);

struct nfvs_conn *nfvs_conn_new(struct nfvs_net *nn,
				const struct nfvs_conn_param *p,
				struct nfvs_dest *dest, unsigned long timeout);
struct nfvs_conn *nfvs_conn_in_get(struct nfvs_net *nn,
				   const struct nfvs_conn_key *key,
				   const union nf_inet_addr *vaddr,
				   __be16 vport);
struct nfvs_conn *nfvs_conn_out_get(struct nfvs_net *nn,
				    const struct nfvs_conn_key *key,
				    const union nf_inet_addr *daddr,
				    __be16 dport);
struct nfvs_conn *nfvs_conn_tpl_get(struct nfvs_net *nn,
				    const struct nfvs_conn_key *key,
				    const struct nfvs_service *svc);
void nfvs_conn_set_control(struct nfvs_conn *cp, struct nfvs_conn *tpl);
spinlock_t *nfvs_conn_new_lock(struct nfvs_net *nn,
			       const struct nfvs_conn_key *key);
void nfvs_conn_touch(struct nfvs_conn *cp, unsigned long timeout);
void nfvs_conn_rearm(struct nfvs_conn *cp, unsigned long timeout);
void nfvs_conn_expire_now(struct nfvs_conn *cp);
#ifdef NFVS_KUNIT
/* KUnit: called by nfvs_conn_new between the insertion and the timer. */
extern void (*nfvs_conn_test_inserted)(struct nfvs_conn *cp);
#endif
void nfvs_conn_put(struct nfvs_conn *cp);
void nfvs_conn_set_active(struct nfvs_conn *cp, bool active);
/* proc_conn.c: ESTABLISHED, ..., UDP */
const char *nfvs_conn_state_name(const struct nfvs_conn *cp);
struct nfvs_conn *nfvs_conn_claim(struct nfvs_net *nn,
				  const struct nfvs_conn_key *key,
				  const union nf_inet_addr *vaddr, __be16 vport);

#endif /* _NFVS_CONN_H */
