/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_APP_H
#define _NFVS_APP_H

#include <linux/skbuff.h>

struct nfvs_conn;
struct nfvs_net;
struct nfvs_pkt;
struct nfvs_service;

/*
 * An application helper: protocol knowledge for the control connections
 * of a service (FTP). It sees the client's packets before they are sent
 * on, and the real server's replies that pass the director (NAT, or DR
 * and TUN when the director is the real servers' gateway).
 */
struct nfvs_app {
	const char *name;
	u8 protocol;
	u16 port;			/* services on it get the helper */
	size_t data_size;		/* per connection, zeroed */
	/* NF_ACCEPT or NF_DROP; may rewrite the packet. */
	unsigned int (*in)(struct nfvs_net *nn, struct nfvs_conn *cp,
			   struct sk_buff *skb, const struct nfvs_pkt *p);
	unsigned int (*out)(struct nfvs_net *nn, struct nfvs_conn *cp,
			    struct sk_buff *skb, const struct nfvs_pkt *p);
};

struct netlink_ext_ack;
struct nfvs_service_conf;

/* The service's helper: named, or the default for its port; or ERR_PTR. */
const struct nfvs_app *nfvs_app_lookup(const struct nfvs_service_conf *c,
				       struct netlink_ext_ack *extack);
const char *nfvs_app_name(const struct nfvs_app *app);
/* A new connection of a service with a helper gets its state. */
void nfvs_app_conn_init(struct nfvs_conn *cp, const struct nfvs_app *app);

/*
 * A data connection of control connection ctl to its real server: from the
 * client's port cport (0: any, the client's first packet decides), to
 * vport on the virtual address and dport on the real server.
 */
bool nfvs_conn_data(struct nfvs_net *nn, struct nfvs_conn *ctl,
		    __be16 cport, __be16 vport, __be16 dport);

extern const struct nfvs_app nfvs_app_ftp;

#endif /* _NFVS_APP_H */
