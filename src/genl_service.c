// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands on services and destinations: parsing into
 * nfvs_service_conf / nfvs_dest_conf, the changes under the namespace's
 * service mutex, and the replies and dumps.
 */
#include <linux/in.h>
#include <linux/limits.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "app.h"
#include "genl.h"
#include "netns.h"
#include "service.h"

/* Seconds a persistence timeout may hold without overflowing jiffies. */
#define NFVS_SVC_TIMEOUT_MAX (INT_MAX / HZ)

static int nfvs_genl_parse_addr(struct nlattr *nla, u16 af,
				union nf_inet_addr *addr,
				struct netlink_ext_ack *extack)
{
	int need = af == AF_INET ? sizeof(struct in_addr) : sizeof(*addr);

	if (nla_len(nla) < need) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "address too short");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, nla, sizeof(*addr));
	return 0;
}

/* A nest, parsed by the rules of the family it came in on. */
static int nfvs_genl_parse_nested(struct nlattr **tb, int maxtype,
				  const struct nlattr *nla,
				  const struct nla_policy *policy, bool strict,
				  struct netlink_ext_ack *extack)
{
	if (strict)
		return nla_parse_nested(tb, maxtype, nla, policy, extack);
	return nla_parse_nested_deprecated(tb, maxtype, nla, policy, extack);
}

int nfvs_genl_parse_service(struct nlattr *nla, bool full, bool strict,
			    struct nfvs_service_conf *c,
			    struct nfvs_flags *flags,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFVS_SVC_ATTR_MAX + 1];
	int err;

	if (!nla) {
		NL_SET_ERR_MSG(extack, "service attribute missing");
		return -EINVAL;
	}
	err = nfvs_genl_parse_nested(tb, NFVS_SVC_ATTR_MAX, nla,
				     nfvs_genl_svc_policy, strict, extack);
	if (err)
		return err;
	if (!tb[NFVS_SVC_ATTR_AF] ||
	    !(tb[NFVS_SVC_ATTR_FWMARK] ||
	      (tb[NFVS_SVC_ATTR_PROTOCOL] && tb[NFVS_SVC_ATTR_ADDR] &&
	       tb[NFVS_SVC_ATTR_PORT]))) {
		NL_SET_ERR_MSG(extack,
			       "service needs family and fwmark, or protocol, address and port");
		return -EINVAL;
	}

	memset(c, 0, sizeof(*c));
	c->af = nla_get_u16(tb[NFVS_SVC_ATTR_AF]);
	if (c->af != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFVS_SVC_ATTR_AF],
				    "only IPv4 services are supported");
		return -EAFNOSUPPORT;
	}
	if (tb[NFVS_SVC_ATTR_FWMARK]) {
		c->protocol = IPPROTO_TCP;
		c->fwmark = nla_get_u32(tb[NFVS_SVC_ATTR_FWMARK]);
		if (!c->fwmark) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFVS_SVC_ATTR_FWMARK],
					    "fwmark must not be 0");
			return -EINVAL;
		}
	} else {
		c->protocol = nla_get_u16(tb[NFVS_SVC_ATTR_PROTOCOL]);
		if (c->protocol != IPPROTO_TCP && c->protocol != IPPROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFVS_SVC_ATTR_PROTOCOL],
					    "protocol must be TCP or UDP");
			return -EPROTONOSUPPORT;
		}
		err = nfvs_genl_parse_addr(tb[NFVS_SVC_ATTR_ADDR], c->af,
					   &c->addr, extack);
		if (err)
			return err;
		c->port = nla_get_be16(tb[NFVS_SVC_ATTR_PORT]);
	}
	if (!full)
		return 0;

	if (!tb[NFVS_SVC_ATTR_SCHED_NAME] || !tb[NFVS_SVC_ATTR_FLAGS] ||
	    !tb[NFVS_SVC_ATTR_TIMEOUT] || !tb[NFVS_SVC_ATTR_NETMASK]) {
		NL_SET_ERR_MSG(extack,
			       "service needs scheduler, flags, timeout and netmask");
		return -EINVAL;
	}
	if (tb[NFVS_SVC_ATTR_PE_NAME] && nla_len(tb[NFVS_SVC_ATTR_PE_NAME]) > 1) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFVS_SVC_ATTR_PE_NAME],
				    "persistence engines are not supported");
		return -ENOENT;
	}
	c->sched_name = nla_data(tb[NFVS_SVC_ATTR_SCHED_NAME]);
	nla_memcpy(flags, tb[NFVS_SVC_ATTR_FLAGS], sizeof(*flags));
	c->timeout = nla_get_u32(tb[NFVS_SVC_ATTR_TIMEOUT]);
	if (c->timeout > NFVS_SVC_TIMEOUT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFVS_SVC_ATTR_TIMEOUT],
				    "persistence timeout too large");
		return -ERANGE;
	}
	c->netmask = nla_get_be32(tb[NFVS_SVC_ATTR_NETMASK]);
	if (tb[NFVS_SVC_ATTR_HELPER])
		c->helper = nla_data(tb[NFVS_SVC_ATTR_HELPER]);
	return 0;
}

static int nfvs_genl_parse_dest(struct nlattr *nla, bool full, bool strict,
				u16 svc_af,
				struct nfvs_dest_conf *c,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFVS_DEST_ATTR_MAX + 1];
	u32 weight;
	int err;

	if (!nla) {
		NL_SET_ERR_MSG(extack, "destination attribute missing");
		return -EINVAL;
	}
	err = nfvs_genl_parse_nested(tb, NFVS_DEST_ATTR_MAX, nla,
				     nfvs_genl_dest_policy, strict, extack);
	if (err)
		return err;
	if (!tb[NFVS_DEST_ATTR_ADDR] || !tb[NFVS_DEST_ATTR_PORT]) {
		NL_SET_ERR_MSG(extack, "a destination needs an address and a port");
		return -EINVAL;
	}

	memset(c, 0, sizeof(*c));
	c->af = svc_af;
	if (tb[NFVS_DEST_ATTR_ADDR_FAMILY])
		c->af = nla_get_u16(tb[NFVS_DEST_ATTR_ADDR_FAMILY]);
	if (c->af != svc_af) {
		NL_SET_ERR_MSG(extack, "destination and service address families differ");
		return -EAFNOSUPPORT;
	}
	err = nfvs_genl_parse_addr(tb[NFVS_DEST_ATTR_ADDR], c->af, &c->addr,
				   extack);
	if (err)
		return err;
	c->port = nla_get_be16(tb[NFVS_DEST_ATTR_PORT]);
	if (!full)
		return 0;

	if (!tb[NFVS_DEST_ATTR_FWD_METHOD] || !tb[NFVS_DEST_ATTR_WEIGHT] ||
	    !tb[NFVS_DEST_ATTR_U_THRESH] || !tb[NFVS_DEST_ATTR_L_THRESH]) {
		NL_SET_ERR_MSG(extack,
			       "destination needs forwarding method, weight and thresholds");
		return -EINVAL;
	}
	c->fwd = nla_get_u32(tb[NFVS_DEST_ATTR_FWD_METHOD]) & NFVS_FWD_MASK;
	weight = nla_get_u32(tb[NFVS_DEST_ATTR_WEIGHT]);
	c->weight = weight > INT_MAX ? -1 : weight;
	c->u_threshold = nla_get_u32(tb[NFVS_DEST_ATTR_U_THRESH]);
	c->l_threshold = nla_get_u32(tb[NFVS_DEST_ATTR_L_THRESH]);
	if (tb[NFVS_DEST_ATTR_TUN_TYPE])
		c->tun_type = nla_get_u8(tb[NFVS_DEST_ATTR_TUN_TYPE]);
	if (tb[NFVS_DEST_ATTR_TUN_PORT])
		c->tun_port = nla_get_be16(tb[NFVS_DEST_ATTR_TUN_PORT]);
	if (tb[NFVS_DEST_ATTR_TUN_FLAGS])
		c->tun_flags = nla_get_u16(tb[NFVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

/* Changes of services and destinations: the order of checks is IPVS's. */
static int nfvs_genl_set_locked(struct nfvs_net *nn, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	bool full_svc = cmd == NFVS_CMD_NEW_SERVICE ||
			cmd == NFVS_CMD_SET_SERVICE;
	struct netlink_ext_ack *extack = info->extack;
	struct nfvs_service_conf sc;
	struct nfvs_dest_conf dc;
	struct nfvs_flags flags = {};
	struct nfvs_service *svc;
	int err;

	bool strict = nfvs_genl_strict(info->nlhdr);

	err = nfvs_genl_parse_service(info->attrs[NFVS_CMD_ATTR_SERVICE],
				      full_svc, strict, &sc, &flags, extack);
	if (err)
		return err;
	svc = nfvs_service_find(nn, &sc);
	if (cmd != NFVS_CMD_NEW_SERVICE && !svc) {
		NL_SET_ERR_MSG(extack, "no such service");
		return -ESRCH;
	}
	if (full_svc)
		sc.flags = ((svc ? svc->flags : 0) & ~flags.mask) |
			   (flags.flags & flags.mask);

	if (cmd == NFVS_CMD_NEW_DEST || cmd == NFVS_CMD_SET_DEST ||
	    cmd == NFVS_CMD_DEL_DEST) {
		err = nfvs_genl_parse_dest(info->attrs[NFVS_CMD_ATTR_DEST],
					   cmd != NFVS_CMD_DEL_DEST, strict,
					   svc->af, &dc, extack);
		if (err)
			return err;
	}

	switch (cmd) {
	case NFVS_CMD_NEW_SERVICE:
		if (svc) {
			NL_SET_ERR_MSG(extack, "service already exists");
			return -EEXIST;
		}
		return nfvs_service_add(nn, &sc, extack);
	case NFVS_CMD_SET_SERVICE:
		return nfvs_service_edit(svc, &sc, extack);
	case NFVS_CMD_DEL_SERVICE:
		nfvs_service_del(svc);
		return 0;
	case NFVS_CMD_NEW_DEST:
		return nfvs_dest_add(svc, &dc, extack);
	case NFVS_CMD_SET_DEST:
		return nfvs_dest_edit(svc, &dc, extack);
	case NFVS_CMD_DEL_DEST:
		return nfvs_dest_del(svc, &dc, extack);
	}
	return -EOPNOTSUPP;
}

int nfvs_genl_set_service_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));
	int err;

	mutex_lock(&nn->services.mutex);
	err = nfvs_genl_set_locked(nn, info);
	mutex_unlock(&nn->services.mutex);
	return err;
}

static int nfvs_genl_put_stats(struct sk_buff *skb, int type,
			       const struct nfvs_counters *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_CONNS, (u32)c->conns) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_INPKTS, (u32)c->inpkts) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_OUTPKTS, (u32)c->outpkts) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_INBYTES, c->inbytes,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_OUTBYTES, c->outbytes,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_CPS, 0) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_INPPS, 0) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_OUTPPS, 0) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_INBPS, 0) ||
	    nla_put_u32(skb, NFVS_STATS_ATTR_OUTBPS, 0))
		goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int nfvs_genl_put_stats64(struct sk_buff *skb, int type,
				 const struct nfvs_counters *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	static const int rates[] = {
		NFVS_STATS_ATTR_CPS, NFVS_STATS_ATTR_INPPS,
		NFVS_STATS_ATTR_OUTPPS, NFVS_STATS_ATTR_INBPS,
		NFVS_STATS_ATTR_OUTBPS,
	};
	size_t i;

	if (!nest ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_CONNS, c->conns,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_INPKTS, c->inpkts,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_OUTPKTS, c->outpkts,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_INBYTES, c->inbytes,
			      NFVS_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, NFVS_STATS_ATTR_OUTBYTES, c->outbytes,
			      NFVS_STATS_ATTR_PAD))
		goto nla_put_failure;
	for (i = 0; i < ARRAY_SIZE(rates); i++)
		if (nla_put_u64_64bit(skb, rates[i], 0, NFVS_STATS_ATTR_PAD))
			goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int nfvs_genl_put_service(struct sk_buff *skb,
				 const struct nfvs_service *svc)
{
	struct nfvs_flags flags = { .flags = svc->flags, .mask = ~0U };
	struct nfvs_counters c;
	struct nlattr *nest;

	nest = nla_nest_start(skb, NFVS_CMD_ATTR_SERVICE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, NFVS_SVC_ATTR_AF, svc->af))
		goto nla_put_failure;
	if (svc->fwmark) {
		if (nla_put_u32(skb, NFVS_SVC_ATTR_FWMARK, svc->fwmark))
			goto nla_put_failure;
	} else if (nla_put_u16(skb, NFVS_SVC_ATTR_PROTOCOL, svc->protocol) ||
		   nla_put(skb, NFVS_SVC_ATTR_ADDR, sizeof(svc->addr),
			   &svc->addr) ||
		   nla_put_be16(skb, NFVS_SVC_ATTR_PORT, svc->port)) {
		goto nla_put_failure;
	}
	nfvs_stats_read(&svc->stats, &c);
	if (nla_put_string(skb, NFVS_SVC_ATTR_SCHED_NAME,
			   nfvs_service_sched_name(svc)) ||
	    nla_put(skb, NFVS_SVC_ATTR_FLAGS, sizeof(flags), &flags) ||
	    nla_put_u32(skb, NFVS_SVC_ATTR_TIMEOUT, svc->timeout) ||
	    nla_put_be32(skb, NFVS_SVC_ATTR_NETMASK, svc->netmask) ||
	    nla_put_string(skb, NFVS_SVC_ATTR_HELPER,
			   nfvs_app_name(READ_ONCE(svc->app))) ||
	    nfvs_genl_put_stats(skb, NFVS_SVC_ATTR_STATS, &c) ||
	    nfvs_genl_put_stats64(skb, NFVS_SVC_ATTR_STATS64, &c))
		goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int nfvs_genl_put_dest(struct sk_buff *skb,
			      const struct nfvs_dest *dest)
{
	struct nfvs_counters c;
	struct nlattr *nest;

	nest = nla_nest_start(skb, NFVS_CMD_ATTR_DEST);
	if (!nest)
		return -EMSGSIZE;
	nfvs_stats_read(&dest->stats, &c);
	if (nla_put(skb, NFVS_DEST_ATTR_ADDR, sizeof(dest->addr), &dest->addr) ||
	    nla_put_be16(skb, NFVS_DEST_ATTR_PORT, dest->port) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_FWD_METHOD, dest->fwd) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_WEIGHT, atomic_read(&dest->weight)) ||
	    nla_put_u8(skb, NFVS_DEST_ATTR_TUN_TYPE, dest->tun_type) ||
	    nla_put_be16(skb, NFVS_DEST_ATTR_TUN_PORT, dest->tun_port) ||
	    nla_put_u16(skb, NFVS_DEST_ATTR_TUN_FLAGS, dest->tun_flags) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_U_THRESH, dest->u_threshold) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_L_THRESH, dest->l_threshold) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_ACTIVE_CONNS,
			atomic_read(&dest->activeconns)) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_INACT_CONNS,
			atomic_read(&dest->inactconns)) ||
	    nla_put_u32(skb, NFVS_DEST_ATTR_PERSIST_CONNS,
			atomic_read(&dest->persistconns)) ||
	    nla_put_u16(skb, NFVS_DEST_ATTR_ADDR_FAMILY, dest->af) ||
	    nfvs_genl_put_stats(skb, NFVS_DEST_ATTR_STATS, &c) ||
	    nfvs_genl_put_stats64(skb, NFVS_DEST_ATTR_STATS64, &c))
		goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int nfvs_genl_get_service(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));
	struct nfvs_service_conf sc;
	struct nfvs_service *svc;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = nfvs_genl_parse_service(info->attrs[NFVS_CMD_ATTR_SERVICE],
				      false, nfvs_genl_strict(info->nlhdr), &sc,
				      NULL, info->extack);
	if (err)
		return err;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, nfvs_genl_family_of(info->nlhdr), 0,
				NFVS_CMD_NEW_SERVICE);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_free;
	}

	mutex_lock(&nn->services.mutex);
	svc = nfvs_service_find(nn, &sc);
	if (!svc) {
		NL_SET_ERR_MSG(info->extack, "no such service");
		err = -ESRCH;
	} else {
		err = nfvs_genl_put_service(msg, svc);
	}
	mutex_unlock(&nn->services.mutex);
	if (err)
		goto out_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	return err;
}

/*
 * One service, or one destination of it, in a dump message of its own;
 * -EMSGSIZE when the skb is full and the dump must resume there.
 */
static int nfvs_genl_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct nfvs_service *svc,
			      const struct nfvs_dest *dest)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  nfvs_genl_family_of(cb->nlh), NLM_F_MULTI,
			  dest ? NFVS_CMD_NEW_DEST : NFVS_CMD_NEW_SERVICE);
	if (!hdr)
		return -EMSGSIZE;
	if (dest ? nfvs_genl_put_dest(skb, dest) :
		   nfvs_genl_put_service(skb, svc)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int nfvs_genl_dump_services(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfvs_net *nn = nfvs_net(sock_net(skb->sk));
	long skip = cb->args[0], idx = 0;
	struct nfvs_service *svc;
	unsigned int bucket;

	mutex_lock(&nn->services.mutex);
	for (bucket = 0; bucket < NFVS_SVC_BUCKETS; bucket++) {
		hlist_for_each_entry(svc, nfvs_services_bucket(nn, bucket), hash) {
			if (idx++ < skip)
				continue;
			if (nfvs_genl_dump_one(skb, cb, svc, NULL))
				goto full;
		}
	}
	idx++;
full:
	mutex_unlock(&nn->services.mutex);
	cb->args[0] = idx - 1;
	return skb->len;
}

int nfvs_genl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfvs_net *nn = nfvs_net(sock_net(skb->sk));
	struct nlattr *attrs[NFVS_CMD_ATTR_MAX + 1];
	long skip = cb->args[0], idx = 0;
	struct nfvs_service_conf sc;
	struct nfvs_service *svc;
	struct nfvs_dest *dest;
	int err;

	err = nfvs_genl_dump_attrs(cb, attrs) ?:
	      nfvs_genl_parse_service(attrs[NFVS_CMD_ATTR_SERVICE], false,
				      nfvs_genl_strict(cb->nlh), &sc, NULL,
				      cb->extack);
	if (err)
		return err;

	mutex_lock(&nn->services.mutex);
	svc = nfvs_service_find(nn, &sc);
	if (!svc) {
		mutex_unlock(&nn->services.mutex);
		/* IPVS lists no destinations for a missing service. */
		if (!nfvs_genl_strict(cb->nlh))
			return 0;
		NL_SET_ERR_MSG(cb->extack, "no such service");
		return -ESRCH;
	}
	list_for_each_entry(dest, &svc->dests, list) {
		if (idx++ < skip)
			continue;
		if (nfvs_genl_dump_one(skb, cb, svc, dest))
			goto full;
	}
	idx++;
full:
	mutex_unlock(&nn->services.mutex);
	cb->args[0] = idx - 1;
	return skb->len;
}
