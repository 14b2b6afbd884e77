// SPDX-License-Identifier: GPL-2.0
/*
 * NFVS_CMD_GET_CONN: the connection table of the namespace as a netlink
 * dump, one connection per message, for nfvsctl to join with conntrack.
 * Each part of the dump goes on from where the last stopped (a cursor held
 * from .start to .done). As for /proc/net/ip_vs_conn (proc_conn.c), a
 * resize between parts starts the walk over (a connection may be sent
 * twice), and a removal between parts may make it miss a neighbour of the
 * removed connection.
 */
#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "app.h"
#include "conn.h"
#include "genl.h"
#include "netns.h"
#include "proc.h"

static int nfvs_genl_put_conn(struct sk_buff *skb, const struct nfvs_conn *cp)
{
	long left = READ_ONCE(cp->expires) - jiffies;
	u32 flags = cp->flags;
	struct nlattr *nest;

	nest = nla_nest_start(skb, NFVS_CMD_ATTR_CONN);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, NFVS_CONN_ATTR_AF, cp->key.af) ||
	    nla_put_u16(skb, NFVS_CONN_ATTR_PROTOCOL, cp->key.protocol) ||
	    nla_put(skb, NFVS_CONN_ATTR_CADDR, sizeof(cp->key.caddr),
		    &cp->key.caddr) ||
	    nla_put_be16(skb, NFVS_CONN_ATTR_CPORT, cp->key.cport) ||
	    nla_put(skb, NFVS_CONN_ATTR_VADDR, sizeof(cp->vaddr), &cp->vaddr) ||
	    nla_put_be16(skb, NFVS_CONN_ATTR_VPORT, cp->vport) ||
	    nla_put(skb, NFVS_CONN_ATTR_DADDR, sizeof(cp->daddr), &cp->daddr) ||
	    nla_put_be16(skb, NFVS_CONN_ATTR_DPORT, cp->dport) ||
	    nla_put_u32(skb, NFVS_CONN_ATTR_FWD, cp->fwd) ||
	    nla_put_string(skb, NFVS_CONN_ATTR_STATE,
			   nfvs_conn_state_name(cp)) ||
	    nla_put_u32(skb, NFVS_CONN_ATTR_EXPIRES,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    nla_put_u32(skb, NFVS_CONN_ATTR_FLAGS, flags) ||
	    ((flags & NFVS_CONN_F_NFCT) &&
	     nla_put_u16(skb, NFVS_CONN_ATTR_ZONE, cp->zone.id)) ||
	    (cp->app &&
	     nla_put_string(skb, NFVS_CONN_ATTR_HELPER, cp->app->name)) ||
	    nla_put_u32(skb, NFVS_CONN_ATTR_CONTROLLED,
			atomic_read(&cp->n_control))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nfvs_genl_dump_conn(struct sk_buff *skb, struct netlink_callback *cb,
			       const struct nfvs_conn *cp)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  nfvs_genl_family_of(cb->nlh), NLM_F_MULTI,
			  NFVS_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	if (nfvs_genl_put_conn(skb, cp)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

struct nfvs_genl_dump {
	struct sk_buff *skb;		/* the message being filled */
	struct netlink_callback *cb;	/* the request's */
};

static int nfvs_genl_dump_one(struct nfvs_conn *cp, void *arg)
{
	struct nfvs_genl_dump *d = arg;

	return nfvs_genl_dump_conn(d->skb, d->cb, cp);
}

int nfvs_genl_dump_conns_start(struct netlink_callback *cb)
{
	struct nfvs_net *nn = nfvs_net(sock_net(cb->skb->sk));
	struct rhashtable_iter *iter = nfvs_conns_cursor_new(nn, GFP_KERNEL);

	if (!iter)
		return -ENOMEM;
	cb->args[0] = (long)iter;
	return 0;
}

int nfvs_genl_dump_conns(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfvs_genl_dump d = { .skb = skb, .cb = cb };

	nfvs_conns_walk_on((struct rhashtable_iter *)cb->args[0],
			   nfvs_genl_dump_one, &d);
	return skb->len;
}

int nfvs_genl_dump_conns_done(struct netlink_callback *cb)
{
	nfvs_conns_cursor_free((struct rhashtable_iter *)cb->args[0]);
	return 0;
}
