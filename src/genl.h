/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_GENL_H
#define _NFVS_GENL_H

#include <net/genetlink.h>

#include "service.h"

int nfvs_genl_register(bool ipvs_compat);
const struct genl_family *nfvs_genl_family_of(const struct nlmsghdr *nlh);
bool nfvs_genl_strict(const struct nlmsghdr *nlh);
int nfvs_genl_dump_attrs(struct netlink_callback *cb, struct nlattr **attrs);
void nfvs_genl_unregister(void);

extern const struct nla_policy *const nfvs_genl_svc_policy;
extern const struct nla_policy *const nfvs_genl_dest_policy;

/* genl_service.c */
int nfvs_genl_parse_service(struct nlattr *nla, bool full, bool strict,
			    struct nfvs_service_conf *c,
			    struct nfvs_flags *flags,
			    struct netlink_ext_ack *extack);
int nfvs_genl_set_service_cmd(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_get_service(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_dump_services(struct sk_buff *skb, struct netlink_callback *cb);
int nfvs_genl_dump_dests(struct sk_buff *skb, struct netlink_callback *cb);

/* genl_config.c */
int nfvs_genl_get_info(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_get_config(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_set_config(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_zero(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_flush(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_daemon(struct sk_buff *skb, struct genl_info *info);
int nfvs_genl_dump_daemons(struct sk_buff *skb, struct netlink_callback *cb);

/* genl_conn.c */
int nfvs_genl_dump_conns_start(struct netlink_callback *cb);
int nfvs_genl_dump_conns(struct sk_buff *skb, struct netlink_callback *cb);
int nfvs_genl_dump_conns_done(struct netlink_callback *cb);

#endif /* _NFVS_GENL_H */
