// SPDX-License-Identifier: GPL-2.0
/*
 * The route to a real server, kept by its destination the way a socket
 * keeps its dst: looked up once, checked with dst_check() at every use and
 * looked up again when the check fails. Any change of routes or addresses
 * in the namespace (and a learned path MTU) fails the check, so the cache
 * never sends a packet where a fresh lookup would not. It saves a FIB
 * lookup per packet. A connection without a destination, or whose real
 * server is not its destination's address, looks its route up every time.
 */
#include <linux/slab.h>
#include <net/dst.h>
#include <net/route.h>

#include "conn.h"
#include "core.h"
#include "service.h"

struct nfvs_dest_route {
	struct dst_entry *dst;		/* referenced */
	__be32 saddr;			/* the route's source address */
	bool known_nh;			/* looked up for direct routing */
	struct rcu_head rcu;
};

static void nfvs_dest_route_free(struct nfvs_dest_route *r)
{
	dst_release(r->dst);
	kfree(r);
}

static void nfvs_dest_route_free_rcu(struct rcu_head *head)
{
	nfvs_dest_route_free(container_of(head, struct nfvs_dest_route, rcu));
}

/* Installs r (NULL: none) as dest's route; readers may still see the old. */
static void nfvs_dest_route_set(struct nfvs_dest *dest,
				struct nfvs_dest_route *r)
{
	struct nfvs_dest_route *old;

	old = unrcu_pointer(xchg(&dest->route, RCU_INITIALIZER(r)));
	if (old)
		call_rcu(&old->rcu, nfvs_dest_route_free_rcu);
}

/* For a destination no reader can see any more (after a grace period). */
void nfvs_dest_route_release(struct nfvs_dest *dest)
{
	struct nfvs_dest_route *r = rcu_dereference_protected(dest->route, 1);

	if (r)
		nfvs_dest_route_free(r);
	RCU_INIT_POINTER(dest->route, NULL);
}

/* Like nfvs_route(), for a connection's real server; under RCU. */
struct rtable *nfvs_conn_route(struct net *net, const struct nfvs_conn *cp,
			       bool known_nh, __be32 *saddr, bool *local)
{
	struct nfvs_dest *dest = cp->dest;
	struct nfvs_dest_route *r;
	struct rtable *rt;
	__be32 sa;

	if (!dest || dest->addr.ip != cp->daddr.ip)
		return nfvs_route(net, cp->daddr.ip, known_nh, saddr, local);
	r = rcu_dereference(dest->route);
	if (r && r->known_nh == known_nh && dst_check(r->dst, 0) &&
	    dst_hold_safe(r->dst)) {
		*local = false;
		if (saddr)
			*saddr = r->saddr;
		return container_of(r->dst, struct rtable, dst);
	}
	rt = nfvs_route(net, cp->daddr.ip, known_nh, &sa, local);
	if (!rt)
		return NULL;
	if (saddr)
		*saddr = sa;
	/* Without memory for the cache, the next packet looks up again. */
	r = kmalloc(sizeof(*r), GFP_ATOMIC);
	if (r) {
		dst_hold(&rt->dst);
		r->dst = &rt->dst;
		r->saddr = sa;
		r->known_nh = known_nh;
		nfvs_dest_route_set(dest, r);
	}
	return rt;
}
