// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink commands on the namespace as a whole: info, timeouts,
 * zeroing counters, flushing, and the sync daemon (not supported).
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "genl.h"
#include "netns.h"

/* Seconds a connection timeout may hold without overflowing jiffies. */
#define NFVS_TIMEOUT_MAX (INT_MAX / HZ)

static struct sk_buff *nfvs_genl_reply_start(struct genl_info *info, u8 cmd,
					     void **hdr)
{
	struct sk_buff *msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, nfvs_genl_family_of(info->nlhdr), 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int nfvs_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = nfvs_genl_reply_start(info, NFVS_CMD_SET_INFO, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, NFVS_INFO_ATTR_VERSION, NFVS_IPVS_VERSION_CODE) ||
	    nla_put_u32(msg, NFVS_INFO_ATTR_CONN_TAB_SIZE, NFVS_CONN_TAB_SIZE)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int nfvs_genl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));
	struct nfvs_timeouts t;
	struct sk_buff *msg;
	void *hdr;

	mutex_lock(&nn->services.mutex);
	t = nn->timeouts;
	mutex_unlock(&nn->services.mutex);

	msg = nfvs_genl_reply_start(info, NFVS_CMD_SET_CONFIG, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, NFVS_CMD_ATTR_TIMEOUT_TCP, t.tcp) ||
	    nla_put_u32(msg, NFVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin) ||
	    nla_put_u32(msg, NFVS_CMD_ATTR_TIMEOUT_UDP, t.udp)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A timeout of 0 leaves the current value alone, as with IPVS. */
static int nfvs_genl_timeout(struct genl_info *info, int type, u32 *val)
{
	struct nlattr *nla = info->attrs[type];
	u32 v;

	if (!nla)
		return 0;
	v = nla_get_u32(nla);
	if (v > NFVS_TIMEOUT_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla, "timeout too large");
		return -ERANGE;
	}
	if (v)
		*val = v;
	return 0;
}

int nfvs_genl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));
	struct nfvs_timeouts t;
	int err;

	mutex_lock(&nn->services.mutex);
	t = nn->timeouts;
	err = nfvs_genl_timeout(info, NFVS_CMD_ATTR_TIMEOUT_TCP, &t.tcp) ?:
	      nfvs_genl_timeout(info, NFVS_CMD_ATTR_TIMEOUT_TCP_FIN, &t.tcp_fin) ?:
	      nfvs_genl_timeout(info, NFVS_CMD_ATTR_TIMEOUT_UDP, &t.udp);
	if (!err)
		nn->timeouts = t;
	mutex_unlock(&nn->services.mutex);
	return err;
}

int nfvs_genl_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));
	struct nfvs_service_conf sc;
	struct nfvs_service *svc;
	int err = 0;

	mutex_lock(&nn->services.mutex);
	if (!info->attrs[NFVS_CMD_ATTR_SERVICE]) {
		nfvs_services_zero(nn);
		goto out;
	}
	err = nfvs_genl_parse_service(info->attrs[NFVS_CMD_ATTR_SERVICE],
				      false, nfvs_genl_strict(info->nlhdr), &sc,
				      NULL, info->extack);
	if (err)
		goto out;
	svc = nfvs_service_find(nn, &sc);
	if (!svc) {
		NL_SET_ERR_MSG(info->extack, "no such service");
		err = -ESRCH;
		goto out;
	}
	nfvs_service_zero(svc);
out:
	mutex_unlock(&nn->services.mutex);
	return err;
}

int nfvs_genl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfvs_net *nn = nfvs_net(genl_info_net(info));

	mutex_lock(&nn->services.mutex);
	nfvs_services_flush(nn);
	mutex_unlock(&nn->services.mutex);
	return 0;
}

int nfvs_genl_daemon(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, "the sync daemon is not supported by nfvs");
	return -EOPNOTSUPP;
}

int nfvs_genl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb)
{
	return 0;
}
