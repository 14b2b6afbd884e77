// SPDX-License-Identifier: GPL-2.0
/*
 * Application helpers, chosen per service by protocol and port: FTP on TCP
 * port 21. A helper's per-connection state is allocated with the
 * connection; without memory the connection goes on without its helper.
 */
#include <linux/netlink.h>
#include <linux/slab.h>

#include "app.h"
#include "conn.h"
#include "netns.h"
#include "service.h"

/* How long a data connection waits for its first packet. */
#define NFVS_APP_DATA_WAIT (60 * HZ)
/*
 * How many may wait at once per control connection: a client announcing
 * port after port cannot fill the table with connections (conntrack's FTP
 * helper keeps one expectation per control connection).
 */
#define NFVS_APP_DATA_MAX_WAITING 8

static const struct nfvs_app *const nfvs_apps[] = {
	&nfvs_app_ftp,
};

const struct nfvs_app *nfvs_app_lookup(const struct nfvs_service_conf *c,
				       struct netlink_ext_ack *extack)
{
	const struct nfvs_app *app;
	int i;

	if (!c->helper) {
		for (i = 0; i < ARRAY_SIZE(nfvs_apps); i++) {
			app = nfvs_apps[i];
			if (!c->fwmark && app->protocol == c->protocol &&
			    htons(app->port) == c->port)
				return app;
		}
		return NULL;
	}
	if (!strcmp(c->helper, "none"))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(nfvs_apps); i++) {
		app = nfvs_apps[i];
		if (strcmp(c->helper, app->name))
			continue;
		if (app->protocol != c->protocol) {
			NL_SET_ERR_MSG(extack,
				       "the helper does not serve this protocol (ftp: TCP only)");
			return ERR_PTR(-EINVAL);
		}
		return app;
	}
	NL_SET_ERR_MSG(extack, "unknown helper (ftp or none)");
	return ERR_PTR(-ENOENT);
}

const char *nfvs_app_name(const struct nfvs_app *app)
{
	return app ? app->name : "none";
}

void nfvs_app_conn_init(struct nfvs_conn *cp, const struct nfvs_app *app)
{
	/*
	 * A fwmark service's helper sees only its own protocol: the mark may
	 * take UDP too, where an FTP helper would "adjust" a UDP header.
	 */
	if (!app || cp->key.protocol != app->protocol)
		return;
	cp->app_data = kzalloc(app->data_size, GFP_ATOMIC);
	if (!cp->app_data) {
		net_warn_ratelimited("no memory for the %s helper of a connection\n",
				     app->name);
		return;
	}
	cp->app = app;
	atomic_inc(&cp->nn->conns.apps);
}

bool nfvs_conn_data(struct nfvs_net *nn, struct nfvs_conn *ctl,
		    __be16 cport, __be16 vport, __be16 dport)
{
	struct nfvs_conn_param param = {
		.key = {
			.caddr = ctl->key.caddr,
			.cport = cport,
			.protocol = IPPROTO_TCP,
			.af = AF_INET,
		},
		.vaddr = ctl->vaddr,
		.vport = vport,
		.daddr = ctl->daddr,
		.dport = dport,
		.fwd = ctl->fwd,
		.flags = (cport ? 0 : NFVS_CONN_F_NO_CPORT) |
			 (ctl->flags & NFVS_CONN_F_NFCT),
		.control = ctl,
	};
	struct nfvs_conn *cp;

	/*
	 * Announced again (a retransmission, a repeated PASV): kept. A
	 * connection of another control connection with the same ends (a
	 * client port reused while the old one is in TIME_WAIT) would send
	 * this one to the wrong server: it ends.
	 */
	cp = nfvs_conn_in_get(nn, &param.key, &param.vaddr, vport);
	if (cp) {
		bool same = cp->control == ctl;

		if (!same)
			nfvs_conn_expire_now(cp);
		nfvs_conn_put(cp);
		if (same)
			return true;
	}
	if (atomic_read(&ctl->n_waiting) >= NFVS_APP_DATA_MAX_WAITING) {
		net_info_ratelimited("%pI4:%u: %d data connections announced and unused, refusing another\n",
				     &ctl->key.caddr.ip, ntohs(ctl->key.cport),
				     NFVS_APP_DATA_MAX_WAITING);
		return false;
	}
	/* The control connection lives as long as its data connections. */
	cp = nfvs_conn_new(nn, &param, ctl->dest, NFVS_APP_DATA_WAIT);
	if (!cp)
		return false;
	cp->zone = ctl->zone;
	nfvs_conn_put(cp);
	return true;
}
