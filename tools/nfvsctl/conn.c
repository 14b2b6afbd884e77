// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl conn show: nfvs's connection table (NFVS_CMD_GET_CONN) joined
 * with conntrack. Each connection with a conntrack entry (NFVS_CONN_F_NFCT)
 * is looked up in its zone by its original tuple, client -> virtual
 * service, and checked: NAT's reply tuple must come from the real server,
 * DR's and TUN's from the virtual service. Conntrack entries of a virtual
 * service that no connection claims are listed too.
 */
#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct.h"
#include "json.h"
#include "table.h"

static void conn_help(FILE *f)
{
	fputs("Usage: nfvsctl conn show [ FILTER... ]\n"
	      "FILTER := proto { tcp | udp } | client ADDR[:PORT] | virtual ADDR[:PORT]\n"
	      "          | real ADDR[:PORT] | state NAME | zone N | mismatch\n"
	      "Each nfvs connection with its conntrack entry (looked up in its zone\n"
	      "by client -> virtual service): states, expiry, reply tuple, mark.\n"
	      "CHECK: ok; untracked (no conntrack entry wanted); ct-missing (nfvs\n"
	      "has the connection, conntrack not); reply-mismatch (the reply tuple\n"
	      "is not the real server's for NAT, the virtual service's for DR/TUN);\n"
	      "nfvs-missing (a conntrack entry of a virtual service that nfvs does\n"
	      "not have); template (persistence); waiting (FTP data, no client port\n"
	      "yet); ct-unavailable (conntrack could not be read). \"mismatch\"\n"
	      "shows only ct-missing, reply-mismatch and nfvs-missing.\n", f);
}

struct conn {
	bool has_nfvs;			/* false: a conntrack entry alone */
	uint16_t af;
	uint8_t protocol;
	struct nfvs_endpoint client, vip, rip;
	uint32_t fwd;
	char state[32];
	uint32_t expires_ms;
	uint32_t flags;
	bool has_zone;
	uint16_t zone;
	char helper[NFVS_HELPER_NAME_MAX];
	uint32_t controlled;
	const struct ct_entry *ct;
	const char *check;
};

struct conn_filter {
	int protocol;
	bool client, vip, rip;
	struct nfvs_endpoint client_ep, vip_ep, rip_ep;
	const char *state;
	bool zone_given;
	uint16_t zone;
	bool mismatch;
};

struct conn_list {
	struct conn *conns;
	int n;
};

static void conn_endpoint(const struct nlattr **tb, int addr, int port,
			  uint16_t af, struct nfvs_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->af = af;
	attr_addr(tb[addr], af, &ep->addr);
	ep->port = attr_be16(tb[port], 0);
}

static int conn_list_cb(const struct nlattr **top, void *data)
{
	const struct nlattr *tb[NFVS_CONN_ATTR_MAX + 1];
	struct conn_list *l = data;
	struct conn *c, *grown;

	if (!top[NFVS_CMD_ATTR_CONN])
		return 0;
	grown = realloc(l->conns, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -EXIT_KERNEL;
	l->conns = grown;
	c = &l->conns[l->n++];
	memset(c, 0, sizeof(*c));
	nl_parse_nested(top[NFVS_CMD_ATTR_CONN], tb, NFVS_CONN_ATTR_MAX);
	c->has_nfvs = true;
	c->af = attr_u16(tb[NFVS_CONN_ATTR_AF], AF_INET);
	c->protocol = attr_u16(tb[NFVS_CONN_ATTR_PROTOCOL], 0);
	conn_endpoint(tb, NFVS_CONN_ATTR_CADDR, NFVS_CONN_ATTR_CPORT, c->af,
		      &c->client);
	conn_endpoint(tb, NFVS_CONN_ATTR_VADDR, NFVS_CONN_ATTR_VPORT, c->af,
		      &c->vip);
	conn_endpoint(tb, NFVS_CONN_ATTR_DADDR, NFVS_CONN_ATTR_DPORT, c->af,
		      &c->rip);
	c->fwd = attr_u32(tb[NFVS_CONN_ATTR_FWD], 0) & NFVS_FWD_MASK;
	snprintf(c->state, sizeof(c->state), "%s",
		 attr_str(tb[NFVS_CONN_ATTR_STATE], "?"));
	c->expires_ms = attr_u32(tb[NFVS_CONN_ATTR_EXPIRES], 0);
	c->flags = attr_u32(tb[NFVS_CONN_ATTR_FLAGS], 0);
	c->has_zone = tb[NFVS_CONN_ATTR_ZONE];
	c->zone = attr_u16(tb[NFVS_CONN_ATTR_ZONE], 0);
	snprintf(c->helper, sizeof(c->helper), "%s",
		 attr_str(tb[NFVS_CONN_ATTR_HELPER], ""));
	c->controlled = attr_u32(tb[NFVS_CONN_ATTR_CONTROLLED], 0);
	return 0;
}

static bool same_endpoint(const struct nfvs_endpoint *a,
			  const struct nfvs_endpoint *b)
{
	return a->af == b->af && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, a->af == AF_INET ? 4 : 16);
}

/* Joins c with its conntrack entry and says what the two make of it. */
static void conn_join(struct conn *c, struct ct_table *ct)
{
	const struct nfvs_endpoint *from;
	struct ct_tuple orig;
	struct ct_entry *e;

	if (c->flags & NFVS_CONN_F_TEMPLATE) {
		c->check = "template";
		return;
	}
	if (c->flags & NFVS_CONN_F_NO_CPORT) {
		c->check = "waiting";
		return;
	}
	if (!(c->flags & NFVS_CONN_F_NFCT)) {
		c->check = "untracked";
		return;
	}
	if (!ct->available) {
		c->check = "ct-unavailable";
		return;
	}
	orig.src = c->client;
	orig.dst = c->vip;
	e = ct_lookup(ct, c->zone, c->protocol, &orig);
	if (!e) {
		c->check = "ct-missing";
		return;
	}
	e->joined = true;
	c->ct = e;
	from = c->fwd == NFVS_FWD_NAT ? &c->rip : &c->vip;
	if (!same_endpoint(&e->reply.src, from) ||
	    !same_endpoint(&e->reply.dst, &c->client))
		c->check = "reply-mismatch";
	else
		c->check = "ok";
}

static bool is_service_vip(const struct nfvs_svc *svcs, int n,
			   const struct ct_entry *e)
{
	int i;

	for (i = 0; i < n; i++)
		if (!svcs[i].fwmark && svcs[i].protocol == e->protocol &&
		    same_endpoint(&svcs[i].vip, &e->orig.dst))
			return true;
	return false;
}

/* Conntrack entries for a virtual service that no connection claimed. */
static int add_orphans(struct conn_list *l, struct ct_table *ct)
{
	struct nfvs_svc *svcs = NULL;
	struct conn *grown, *c;
	int n = 0, i, ret;

	ret = svc_list(&svcs, &n);
	if (ret)
		return ret;
	for (i = 0; i < ct->n; i++) {
		if (ct->entries[i].joined ||
		    !is_service_vip(svcs, n, &ct->entries[i]))
			continue;
		grown = realloc(l->conns, (l->n + 1) * sizeof(*grown));
		if (!grown)
			break;
		l->conns = grown;
		c = &l->conns[l->n++];
		memset(c, 0, sizeof(*c));
		c->af = ct->entries[i].orig.src.af;
		c->protocol = ct->entries[i].protocol;
		c->client = ct->entries[i].orig.src;
		c->vip = ct->entries[i].orig.dst;
		c->has_zone = true;
		c->zone = ct->entries[i].zone;
		c->ct = &ct->entries[i];
		c->check = "nfvs-missing";
	}
	free(svcs);
	return 0;
}

static bool endpoint_matches(const struct nfvs_endpoint *want,
			     const struct nfvs_endpoint *have)
{
	if (want->af != have->af ||
	    memcmp(&want->addr, &have->addr, want->af == AF_INET ? 4 : 16))
		return false;
	return !want->port || want->port == have->port;
}

static bool conn_matches(const struct conn *c, const struct conn_filter *f)
{
	if (f->protocol && c->protocol != f->protocol)
		return false;
	if (f->client && !endpoint_matches(&f->client_ep, &c->client))
		return false;
	if (f->vip && !endpoint_matches(&f->vip_ep, &c->vip))
		return false;
	if (f->rip && (!c->has_nfvs || !endpoint_matches(&f->rip_ep, &c->rip)))
		return false;
	if (f->state && strcasecmp(f->state, c->state))
		return false;
	if (f->zone_given && (!c->has_zone || c->zone != f->zone))
		return false;
	if (f->mismatch && strcmp(c->check, "ct-missing") &&
	    strcmp(c->check, "reply-mismatch") &&
	    strcmp(c->check, "nfvs-missing"))
		return false;
	return true;
}

static void parse_filters(int argc, char **argv, struct conn_filter *f)
{
	static const char *const keys[] = {
		"proto", "client", "virtual", "real", "state", "zone",
		"mismatch", "help", NULL
	};
	static const char *const protos[] = { "tcp", "udp", NULL };
	const char *val;
	int k;

	memset(f, 0, sizeof(*f));
	while (argc > 0) {
		k = match_word_or_die(next_arg(&argc, &argv, "filter"), keys,
				      "filter");
		if (k == 6) {
			f->mismatch = true;
			continue;
		}
		if (k == 7) {
			conn_help(stdout);
			exit(0);
		}
		val = next_arg(&argc, &argv, keys[k]);
		switch (k) {
		case 0:
			f->protocol = match_word_or_die(val, protos,
							"protocol") ?
				      IPPROTO_UDP : IPPROTO_TCP;
			break;
		case 1:
			f->client = true;
			parse_endpoint(val, "client", PORT_OPTIONAL,
				       &f->client_ep);
			break;
		case 2:
			f->vip = true;
			parse_endpoint(val, "virtual", PORT_OPTIONAL,
				       &f->vip_ep);
			break;
		case 3:
			f->rip = true;
			parse_endpoint(val, "real", PORT_OPTIONAL, &f->rip_ep);
			break;
		case 4:
			f->state = val;
			break;
		case 5:
			f->zone_given = true;
			f->zone = parse_u32(val, "zone", 0, 65535);
			break;
		}
	}
}

static void endpoint_json(const char *key, const struct nfvs_endpoint *ep)
{
	char addr[INET6_ADDRSTRLEN];

	json_object_begin(key);
	json_string("address", addr_str(ep->af, &ep->addr, addr, sizeof(addr)));
	json_uint("port", ep->port);
	json_object_end();
}

static void ct_json(const struct ct_entry *e)
{
	if (!e) {
		json_null("conntrack");
		return;
	}
	json_object_begin("conntrack");
	json_uint("zone", e->zone);
	json_string("state", ct_state_name(e));
	json_bool("confirmed", e->status & IPS_CONFIRMED);
	json_bool("assured", e->status & IPS_ASSURED);
	json_bool("seen_reply", e->status & IPS_SEEN_REPLY);
	json_uint("status", e->status);
	json_uint("mark", e->mark);
	json_uint("timeout", e->timeout);
	json_object_begin("reply");
	endpoint_json("src", &e->reply.src);
	endpoint_json("dst", &e->reply.dst);
	json_object_end();
	json_object_end();
}

static void conn_json(const struct conn *c)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} flags[] = {
		{ NFVS_CONN_F_TEMPLATE, "template" },
		{ NFVS_CONN_F_ONE_PACKET, "one-packet" },
		{ NFVS_CONN_F_NFCT, "nfct" },
		{ NFVS_CONN_F_NO_CPORT, "no-cport" },
	};
	size_t i;

	json_object_begin(NULL);
	json_string("family", c->af == AF_INET6 ? "inet6" : "inet");
	json_string("protocol", proto_name(c->protocol));
	endpoint_json("client", &c->client);
	endpoint_json("virtual", &c->vip);
	if (c->has_nfvs) {
		endpoint_json("real", &c->rip);
		json_string("forward", fwd_name(c->fwd));
		json_string("state", c->state);
		json_uint("expires_ms", c->expires_ms);
		json_array_begin("flags");
		for (i = 0; i < ARRAY_SIZE(flags); i++)
			if (c->flags & flags[i].bit)
				json_string(NULL, flags[i].name);
		json_array_end();
		json_string("helper", c->helper[0] ? c->helper : NULL);
		json_uint("controlled", c->controlled);
	} else {
		json_null("real");
		json_null("forward");
		json_null("state");
		json_null("expires_ms");
		json_null("flags");
		json_null("helper");
		json_null("controlled");
	}
	if (c->has_zone)
		json_uint("zone", c->zone);
	else
		json_null("zone");
	ct_json(c->ct);
	json_string("check", c->check);
	json_object_end();
}

#define CONN_FMT "%-5s %-22s %-22s %-22s %-4s %-12s %8s  %-12s %-18s %4s %6s  %-44s %s\n"

static void conn_row(const struct conn *c)
{
	char client[ENDPOINT_STRLEN], vip[ENDPOINT_STRLEN];
	char rip[ENDPOINT_STRLEN], expires[16], zone[8], mark[16];
	char rsrc[ENDPOINT_STRLEN], rdst[ENDPOINT_STRLEN];
	char reply[2 * ENDPOINT_STRLEN + 8], status[32];
	const struct ct_entry *e = c->ct;

	endpoint_str(&c->client, c->protocol, client, sizeof(client));
	endpoint_str(&c->vip, c->protocol, vip, sizeof(vip));
	if (c->has_nfvs) {
		endpoint_str(&c->rip, c->protocol, rip, sizeof(rip));
		snprintf(expires, sizeof(expires), "%u.%01us",
			 c->expires_ms / 1000, c->expires_ms % 1000 / 100);
	} else {
		snprintf(rip, sizeof(rip), "-");
		snprintf(expires, sizeof(expires), "-");
	}
	snprintf(zone, sizeof(zone), c->has_zone ? "%u" : "-", c->zone);
	if (e) {
		snprintf(status, sizeof(status), "%s%s%s",
			 e->status & IPS_CONFIRMED ? "confirmed" : "unconfirmed",
			 e->status & IPS_ASSURED ? "," : "",
			 e->status & IPS_ASSURED ? "assured" : "");
		snprintf(mark, sizeof(mark), "%u", e->mark);
		snprintf(reply, sizeof(reply), "%s->%s",
			 endpoint_str(&e->reply.src, c->protocol, rsrc,
				      sizeof(rsrc)),
			 endpoint_str(&e->reply.dst, c->protocol, rdst,
				      sizeof(rdst)));
	} else {
		snprintf(status, sizeof(status), "-");
		snprintf(mark, sizeof(mark), "-");
		snprintf(reply, sizeof(reply), "-");
	}
	printf(CONN_FMT, proto_name(c->protocol), client, vip, rip,
	       c->has_nfvs ? fwd_name(c->fwd) : "-",
	       c->has_nfvs ? c->state : "-", expires,
	       e ? ct_state_name(e) : "-", status, zone, mark, reply,
	       c->check);
}

static int endpoint_cmp(const struct nfvs_endpoint *a,
			const struct nfvs_endpoint *b)
{
	int c = memcmp(&a->addr, &b->addr, sizeof(a->addr));

	return c ? c : a->port - b->port;
}

/* By virtual service, then client: the kernel's order is its hash's. */
static int conn_cmp(const void *pa, const void *pb)
{
	const struct conn *a = pa, *b = pb;
	int c;

	if (a->protocol != b->protocol)
		return a->protocol - b->protocol;
	c = endpoint_cmp(&a->vip, &b->vip);
	return c ? c : endpoint_cmp(&a->client, &b->client);
}

static int conn_show(int argc, char **argv)
{
	struct conn_list l = { 0 };
	struct conn_filter f;
	struct ct_table ct;
	struct nl_req req;
	int i, ret;

	parse_filters(argc, argv, &f);
	nl_req_start(&req, NFVS_CMD_GET_CONN, true);
	ret = nl_run(&req, conn_list_cb, &l);
	if (ret)
		return ret;
	ct_table_read(&ct);
	for (i = 0; i < l.n; i++)
		conn_join(&l.conns[i], &ct);
	if (ct.available)
		ret = add_orphans(&l, &ct);
	if (l.n)
		qsort(l.conns, l.n, sizeof(*l.conns), conn_cmp);
	if (opts.json) {
		json_object_begin(NULL);
		json_bool("conntrack_available", ct.available);
		json_array_begin("connections");
	} else {
		printf(CONN_FMT, "PROTO", "CLIENT", "VIRTUAL", "REAL", "FWD",
		       "STATE", "EXPIRES", "CT-STATE", "CT-STATUS", "ZONE",
		       "MARK", "REPLY", "CHECK");
	}
	for (i = 0; i < l.n; i++) {
		if (!conn_matches(&l.conns[i], &f))
			continue;
		if (opts.json)
			conn_json(&l.conns[i]);
		else
			conn_row(&l.conns[i]);
	}
	if (opts.json) {
		json_array_end();
		json_object_end();
		json_done();
	}
	free(l.conns);
	ct_table_free(&ct);
	return ret;
}

int do_conn(int argc, char **argv)
{
	static const char *const verbs[] = { "show", "list", "help", NULL };
	int v = 0;

	if (argc > 0) {
		v = is_help(argv[0]) ? 2 : match_word_or_die(argv[0], verbs,
							     "conn command");
		argc--, argv++;
	}
	if (v == 2) {
		conn_help(stdout);
		return 0;
	}
	cmd_context = "conn show";
	return conn_show(argc, argv);
}
