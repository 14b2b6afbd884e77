/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_SERVICE_H
#define _NFVS_SERVICE_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <uapi/linux/nfvs.h>

#include "stats.h"

struct nfvs_net;
struct nfvs_dest_route;
struct nfvs_scheduler;
struct netlink_ext_ack;

#define NFVS_SVC_TAB_BITS 8
#define NFVS_SVC_TAB_SIZE BIT(NFVS_SVC_TAB_BITS)
/* Buckets of both tables, as nfvs_services_bucket() numbers them. */
#define NFVS_SVC_BUCKETS (2 * NFVS_SVC_TAB_SIZE)

/* What the control plane asks for, validated before it touches a table. */
struct nfvs_service_conf {
	u16 af;
	u16 protocol;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwmark;
	u32 flags;
	u32 timeout;		/* seconds */
	__be32 netmask;
	const char *sched_name;
	const char *helper;	/* NULL: the default for the port */
};

struct nfvs_dest_conf {
	u16 af;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwd;
	int weight;
	u32 u_threshold;
	u32 l_threshold;
	u8 tun_type;
	__be16 tun_port;
	u16 tun_flags;
};

/* Bits of nfvs_dest.flags. */
enum {
	NFVS_DEST_OVERLOAD,		/* over u_threshold: sched.h */
};

struct nfvs_dest {
	struct list_head list;		/* in svc->dests, RCU */
	struct nfvs_service *svc;
	u16 af;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwd;
	atomic_t weight;
	int last_weight;		/* latest above 0; under the mutex */
	u32 u_threshold;
	u32 l_threshold;
	u8 tun_type;
	__be16 tun_port;
	u16 tun_flags;
	bool available;			/* listed in its service */
	unsigned long flags;		/* NFVS_DEST_*, atomic bitops */
	atomic_t activeconns;
	atomic_t inactconns;
	atomic_t persistconns;
	struct nfvs_stats stats;
	struct nfvs_dest_route __rcu *route;	/* dest_route.c */
	refcount_t refcnt;
	struct rcu_head rcu;
};

struct nfvs_service {
	struct hlist_node hash;		/* svc_table or fwm_table, RCU */
	struct nfvs_net *nn;
	u16 af;
	u16 protocol;
	union nf_inet_addr addr;
	__be16 port;
	u32 fwmark;
	u32 flags;
	u32 timeout;			/* seconds */
	__be32 netmask;
	struct nfvs_scheduler __rcu *sched;
	void *sched_data;
	const struct nfvs_app *app;	/* its application helper, or NULL */
	struct list_head dests;
	unsigned int num_dests;
	struct nfvs_stats stats;
	refcount_t refcnt;		/* the table's, and one per destination */
	struct rcu_head rcu;
};

/* The tables of one namespace; changed under mutex, read under RCU. */
struct nfvs_services {
	struct mutex mutex;		/* serialises all changes */
	struct hlist_head svc_table[NFVS_SVC_TAB_SIZE];
	struct hlist_head fwm_table[NFVS_SVC_TAB_SIZE];
	unsigned int count;
};

void nfvs_services_init(struct nfvs_services *t);

struct nfvs_service *nfvs_service_find(struct nfvs_net *nn,
				       const struct nfvs_service_conf *c);
int nfvs_service_add(struct nfvs_net *nn, const struct nfvs_service_conf *c,
		     struct netlink_ext_ack *extack);
int nfvs_service_edit(struct nfvs_service *svc,
		      const struct nfvs_service_conf *c,
		      struct netlink_ext_ack *extack);
void nfvs_service_del(struct nfvs_service *svc);
void nfvs_service_put(struct nfvs_service *svc);
void nfvs_services_flush(struct nfvs_net *nn);
void nfvs_service_zero(struct nfvs_service *svc);
void nfvs_services_zero(struct nfvs_net *nn);
const char *nfvs_service_sched_name(const struct nfvs_service *svc);

struct hlist_head *nfvs_services_bucket(struct nfvs_net *nn, unsigned int i);

struct nfvs_dest *nfvs_dest_find(struct nfvs_service *svc, u16 af,
				 const union nf_inet_addr *addr, __be16 port);
int nfvs_dest_add(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		  struct netlink_ext_ack *extack);
int nfvs_dest_edit(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		   struct netlink_ext_ack *extack);
int nfvs_dest_del(struct nfvs_service *svc, const struct nfvs_dest_conf *c,
		  struct netlink_ext_ack *extack);
void nfvs_dest_unlink(struct nfvs_dest *dest);
void nfvs_dest_put(struct nfvs_dest *dest);
/* dest_route.c */
void nfvs_dest_route_release(struct nfvs_dest *dest);

#endif /* _NFVS_SERVICE_H */
