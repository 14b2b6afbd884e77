// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink families: "nfvs", and with ipvs_compat the same
 * operations as "IPVS" version 1 for ipvsadm and keepalived. The command
 * and attribute numbers are those of the IPVS protocol
 * (include/uapi/linux/nfvs.h); validation is strict.
 */
#include <net/genetlink.h>

#include "genl.h"
#include "netns.h"

static const struct nla_policy nfvs_svc_policy[NFVS_SVC_ATTR_MAX + 1] = {
	[NFVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[NFVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[NFVS_SVC_ATTR_ADDR] = { .type = NLA_BINARY,
				 .len = sizeof(union nf_inet_addr) },
	[NFVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[NFVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[NFVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_NUL_STRING,
				       .len = NFVS_SCHED_NAME_MAX - 1 },
	[NFVS_SVC_ATTR_FLAGS] = NLA_POLICY_EXACT_LEN(sizeof(struct nfvs_flags)),
	[NFVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[NFVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
	[NFVS_SVC_ATTR_HELPER] = { .type = NLA_NUL_STRING,
				   .len = NFVS_HELPER_NAME_MAX - 1 },
	[NFVS_SVC_ATTR_STATS] = { .type = NLA_NESTED },
	[NFVS_SVC_ATTR_PE_NAME] = { .type = NLA_NUL_STRING,
				    .len = NFVS_PE_NAME_MAX - 1 },
	[NFVS_SVC_ATTR_STATS64] = { .type = NLA_NESTED },
};

static const struct nla_policy nfvs_dest_policy[NFVS_DEST_ATTR_MAX + 1] = {
	[NFVS_DEST_ATTR_ADDR] = { .type = NLA_BINARY,
				  .len = sizeof(union nf_inet_addr) },
	[NFVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[NFVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_PERSIST_CONNS] = { .type = NLA_U32 },
	[NFVS_DEST_ATTR_STATS] = { .type = NLA_NESTED },
	[NFVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
	[NFVS_DEST_ATTR_STATS64] = { .type = NLA_NESTED },
	[NFVS_DEST_ATTR_TUN_TYPE] = { .type = NLA_U8 },
	[NFVS_DEST_ATTR_TUN_PORT] = { .type = NLA_U16 },
	[NFVS_DEST_ATTR_TUN_FLAGS] = { .type = NLA_U16 },
};

static const struct nla_policy nfvs_daemon_policy[NFVS_DAEMON_ATTR_MAX + 1] = {
	[NFVS_DAEMON_ATTR_STATE] = { .type = NLA_U32 },
	[NFVS_DAEMON_ATTR_MCAST_IFN] = { .type = NLA_NUL_STRING, .len = 15 },
	[NFVS_DAEMON_ATTR_SYNC_ID] = { .type = NLA_U32 },
	[NFVS_DAEMON_ATTR_SYNC_MAXLEN] = { .type = NLA_U16 },
	[NFVS_DAEMON_ATTR_MCAST_GROUP] = { .type = NLA_U32 },
	[NFVS_DAEMON_ATTR_MCAST_GROUP6] = NLA_POLICY_EXACT_LEN(16),
	[NFVS_DAEMON_ATTR_MCAST_PORT] = { .type = NLA_U16 },
	[NFVS_DAEMON_ATTR_MCAST_TTL] = { .type = NLA_U8 },
};

static const struct nla_policy nfvs_cmd_policy[NFVS_CMD_ATTR_MAX + 1] = {
	[NFVS_CMD_ATTR_SERVICE] = NLA_POLICY_NESTED(nfvs_svc_policy),
	[NFVS_CMD_ATTR_DEST] = NLA_POLICY_NESTED(nfvs_dest_policy),
	[NFVS_CMD_ATTR_DAEMON] = NLA_POLICY_NESTED(nfvs_daemon_policy),
	[NFVS_CMD_ATTR_TIMEOUT_TCP] = { .type = NLA_U32 },
	[NFVS_CMD_ATTR_TIMEOUT_TCP_FIN] = { .type = NLA_U32 },
	[NFVS_CMD_ATTR_TIMEOUT_UDP] = { .type = NLA_U32 },
	[NFVS_CMD_ATTR_CONN] = { .type = NLA_REJECT },
};

/* The nested policies, for handlers that parse a nest into a table. */
const struct nla_policy *const nfvs_genl_svc_policy = nfvs_svc_policy;
const struct nla_policy *const nfvs_genl_dest_policy = nfvs_dest_policy;

/*
 * Changing anything takes CAP_NET_ADMIN in the initial user namespace, as
 * in-tree IPVS does: the root of a user namespace of its own must not
 * drive the datapath. With userns_admin=1, CAP_NET_ADMIN over the request's
 * network namespace is enough (nfvs_genl_register switches the flag).
 */
#define NFVS_ADMIN GENL_ADMIN_PERM

static const struct genl_ops nfvs_genl_ops_template[] = {
	{ .cmd = NFVS_CMD_NEW_SERVICE, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_SET_SERVICE, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_DEL_SERVICE, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_GET_SERVICE,
	  .doit = nfvs_genl_get_service, .dumpit = nfvs_genl_dump_services },
	{ .cmd = NFVS_CMD_NEW_DEST, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_SET_DEST, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_DEL_DEST, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_service_cmd },
	{ .cmd = NFVS_CMD_GET_DEST, .dumpit = nfvs_genl_dump_dests },
	{ .cmd = NFVS_CMD_NEW_DAEMON, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_daemon },
	{ .cmd = NFVS_CMD_DEL_DAEMON, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_daemon },
	{ .cmd = NFVS_CMD_GET_DAEMON, .dumpit = nfvs_genl_dump_daemons },
	{ .cmd = NFVS_CMD_SET_CONFIG, .flags = NFVS_ADMIN,
	  .doit = nfvs_genl_set_config },
	{ .cmd = NFVS_CMD_GET_CONFIG, .doit = nfvs_genl_get_config },
	{ .cmd = NFVS_CMD_GET_INFO, .doit = nfvs_genl_get_info },
	{ .cmd = NFVS_CMD_ZERO, .flags = NFVS_ADMIN, .doit = nfvs_genl_zero },
	{ .cmd = NFVS_CMD_FLUSH, .flags = NFVS_ADMIN, .doit = nfvs_genl_flush },
	/* nfvs only, last: the IPVS family offers the ones before. */
	{ .cmd = NFVS_CMD_GET_CONN, .start = nfvs_genl_dump_conns_start,
	  .dumpit = nfvs_genl_dump_conns, .done = nfvs_genl_dump_conns_done },
};

/* The template, with the admin flag nfvs_genl_register chooses. */
static struct genl_ops nfvs_genl_ops[ARRAY_SIZE(nfvs_genl_ops_template)] __ro_after_init;

#define NFVS_GENL_IPVS_N_OPS (ARRAY_SIZE(nfvs_genl_ops) - 1)

/*
 * The same operations for the IPVS family, validated as in-tree IPVS does:
 * old clients (moby/ipvs, used by kube-proxy and Docker) send nests without
 * NLA_F_NESTED, and dump requests with attributes nobody looks at.
 */
static struct genl_ops nfvs_ipvs_ops[NFVS_GENL_IPVS_N_OPS] __ro_after_init;

static struct genl_family nfvs_genl_family __ro_after_init = {
	.name = NFVS_GENL_NAME,
	.version = NFVS_GENL_VERSION,
	.maxattr = NFVS_CMD_ATTR_MAX,
	.policy = nfvs_cmd_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfvs_genl_ops,
	.n_ops = ARRAY_SIZE(nfvs_genl_ops),
	.resv_start_op = NFVS_CMD_FLUSH + 1,
};

static struct genl_family nfvs_ipvs_family __ro_after_init = {
	.name = NFVS_IPVS_GENL_NAME,
	.version = NFVS_GENL_VERSION,
	.maxattr = NFVS_CMD_ATTR_MAX,
	.policy = nfvs_cmd_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfvs_ipvs_ops,
	.n_ops = ARRAY_SIZE(nfvs_ipvs_ops),
	.resv_start_op = NFVS_CMD_FLUSH + 1,
};

static bool nfvs_ipvs_family_registered;

static bool nfvs_genl_is_ipvs(const struct nlmsghdr *nlh)
{
	return nfvs_ipvs_family_registered && nlh->nlmsg_type == nfvs_ipvs_family.id;
}

/* The family a request came in on: replies go out on the same one. */
const struct genl_family *nfvs_genl_family_of(const struct nlmsghdr *nlh)
{
	return nfvs_genl_is_ipvs(nlh) ? &nfvs_ipvs_family : &nfvs_genl_family;
}

/* Whether a request is held to the nfvs family's strict rules. */
bool nfvs_genl_strict(const struct nlmsghdr *nlh)
{
	return !nfvs_genl_is_ipvs(nlh);
}

/* The top-level attributes of a dump request, parsed by its family's rules. */
int nfvs_genl_dump_attrs(struct netlink_callback *cb, struct nlattr **attrs)
{
	if (nfvs_genl_strict(cb->nlh))
		return nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, NFVS_CMD_ATTR_MAX,
				   nfvs_cmd_policy, cb->extack);
	return nlmsg_parse_deprecated(cb->nlh, GENL_HDRLEN, attrs,
				      NFVS_CMD_ATTR_MAX, nfvs_cmd_policy,
				      cb->extack);
}

int nfvs_genl_register(bool ipvs_compat)
{
	size_t i;
	int err;

	memcpy(nfvs_genl_ops, nfvs_genl_ops_template, sizeof(nfvs_genl_ops));
	for (i = 0; i < ARRAY_SIZE(nfvs_genl_ops) && nfvs_userns_admin; i++)
		if (nfvs_genl_ops[i].flags & GENL_ADMIN_PERM)
			nfvs_genl_ops[i].flags = (nfvs_genl_ops[i].flags &
						  ~GENL_ADMIN_PERM) |
						 GENL_UNS_ADMIN_PERM;
	err = genl_register_family(&nfvs_genl_family);
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       NFVS_GENL_NAME, err);
		return err;
	}
	if (!ipvs_compat)
		return 0;

	memcpy(nfvs_ipvs_ops, nfvs_genl_ops, sizeof(nfvs_ipvs_ops));
	BUILD_BUG_ON(nfvs_genl_ops_template[NFVS_GENL_IPVS_N_OPS - 1].cmd !=
		     NFVS_CMD_FLUSH);
	for (i = 0; i < ARRAY_SIZE(nfvs_ipvs_ops); i++)
		nfvs_ipvs_ops[i].validate = GENL_DONT_VALIDATE_STRICT |
					    GENL_DONT_VALIDATE_DUMP;
	err = genl_register_family(&nfvs_ipvs_family);
	if (err) {
		if (err == -EEXIST)
			pr_err("the IPVS interface is taken (in-tree ip_vs is loaded): unload ip_vs, or load nfvs with ipvs_compat=0 to run beside it\n");
		else
			pr_err("cannot register generic netlink family IPVS: %d\n",
			       err);
		genl_unregister_family(&nfvs_genl_family);
		return err;
	}
	nfvs_ipvs_family_registered = true;
	return 0;
}

void nfvs_genl_unregister(void)
{
	if (nfvs_ipvs_family_registered)
		genl_unregister_family(&nfvs_ipvs_family);
	nfvs_ipvs_family_registered = false;
	genl_unregister_family(&nfvs_genl_family);
}
