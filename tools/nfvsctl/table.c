// SPDX-License-Identifier: GPL-2.0
/*
 * Services and destinations between the command line, netlink and the
 * output: identity words, attributes both ways, sorted listings.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "table.h"

/* tcp|udp ADDR:PORT or fwmark N; port 0 is checked by the commands. */
void svc_parse_ident(int *argc, char ***argv, struct nfvs_svc *svc)
{
	static const char *const kinds[] = { "tcp", "udp", "fwmark", NULL };
	const char *kind, *id;
	int k;

	memset(svc, 0, sizeof(*svc));
	kind = next_arg(argc, argv, "service (tcp|udp ADDR:PORT or fwmark N)");
	k = match_word_or_die(kind, kinds, "service kind");
	id = next_arg(argc, argv, k == 2 ? "firewall mark" : "ADDR:PORT");
	if (k == 2) {
		svc->fwmark = parse_u32(id, "fwmark", 1, UINT32_MAX);
		svc->af = AF_INET;
	} else {
		parse_endpoint(id, "service", PORT_ZERO_OK, &svc->vip);
		svc->af = svc->vip.af;
		svc->protocol = k == 0 ? IPPROTO_TCP : IPPROTO_UDP;
	}
	svc->words = join_words(kinds[k], id);
}

static void svc_put_attr(struct nl_req *req, const struct nfvs_svc *svc,
			 uint16_t type, size_t len, const void *data)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(req->nlh);

	mnl_attr_put(req->nlh, type, len, data);
	nl_req_arg(req, a, svc->attr_words[type]);
}

/* The service's nest: its identity, and with full its settings. */
struct nlattr *svc_put(struct nl_req *req, const struct nfvs_svc *svc,
		       bool full)
{
	struct nlmsghdr *nlh = req->nlh;
	struct nfvs_flags flags;
	struct nlattr *nest, *a;

	nest = mnl_attr_nest_start(nlh, NFVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, NFVS_SVC_ATTR_AF, svc->af);
	if (svc->fwmark) {
		a = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put_u32(nlh, NFVS_SVC_ATTR_FWMARK, svc->fwmark);
		nl_req_arg(req, a, svc->words);
	} else {
		mnl_attr_put_u16(nlh, NFVS_SVC_ATTR_PROTOCOL, svc->protocol);
		a = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put(nlh, NFVS_SVC_ATTR_ADDR, sizeof(svc->vip.addr),
			     &svc->vip.addr);
		nl_req_arg(req, a, svc->words);
		a = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put_u16(nlh, NFVS_SVC_ATTR_PORT, htons(svc->vip.port));
		nl_req_arg(req, a, svc->words);
	}
	if (full) {
		flags.flags = svc->flags;
		flags.mask = ~0U;
		svc_put_attr(req, svc, NFVS_SVC_ATTR_SCHED_NAME,
			     strlen(svc->sched) + 1, svc->sched);
		svc_put_attr(req, svc, NFVS_SVC_ATTR_FLAGS, sizeof(flags),
			     &flags);
		svc_put_attr(req, svc, NFVS_SVC_ATTR_TIMEOUT,
			     sizeof(svc->timeout), &svc->timeout);
		svc_put_attr(req, svc, NFVS_SVC_ATTR_NETMASK,
			     sizeof(svc->netmask), &svc->netmask);
		if (svc->helper[0])
			svc_put_attr(req, svc, NFVS_SVC_ATTR_HELPER,
				     strlen(svc->helper) + 1, svc->helper);
	}
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static void counters_decode(const struct nlattr *nest, struct nfvs_counters *c)
{
	const struct nlattr *tb[NFVS_STATS_ATTR_MAX + 1];

	nl_parse_nested(nest, tb, NFVS_STATS_ATTR_MAX);
	c->conns = attr_u64(tb[NFVS_STATS_ATTR_CONNS], 0);
	c->inpkts = attr_u64(tb[NFVS_STATS_ATTR_INPKTS], 0);
	c->outpkts = attr_u64(tb[NFVS_STATS_ATTR_OUTPKTS], 0);
	c->inbytes = attr_u64(tb[NFVS_STATS_ATTR_INBYTES], 0);
	c->outbytes = attr_u64(tb[NFVS_STATS_ATTR_OUTBYTES], 0);
}

static int svc_decode(const struct nlattr *nest, struct nfvs_svc *svc)
{
	const struct nlattr *tb[NFVS_SVC_ATTR_MAX + 1];
	const struct nfvs_flags *flags;

	memset(svc, 0, sizeof(*svc));
	nl_parse_nested(nest, tb, NFVS_SVC_ATTR_MAX);
	svc->af = attr_u16(tb[NFVS_SVC_ATTR_AF], AF_INET);
	svc->fwmark = attr_u32(tb[NFVS_SVC_ATTR_FWMARK], 0);
	if (!svc->fwmark) {
		svc->protocol = attr_u16(tb[NFVS_SVC_ATTR_PROTOCOL], 0);
		svc->vip.af = svc->af;
		attr_addr(tb[NFVS_SVC_ATTR_ADDR], svc->af, &svc->vip.addr);
		svc->vip.port = attr_be16(tb[NFVS_SVC_ATTR_PORT], 0);
	}
	snprintf(svc->sched, sizeof(svc->sched), "%s",
		 attr_str(tb[NFVS_SVC_ATTR_SCHED_NAME], "?"));
	snprintf(svc->helper, sizeof(svc->helper), "%s",
		 attr_str(tb[NFVS_SVC_ATTR_HELPER], "none"));
	if (tb[NFVS_SVC_ATTR_FLAGS] &&
	    mnl_attr_get_payload_len(tb[NFVS_SVC_ATTR_FLAGS]) >= sizeof(*flags)) {
		flags = mnl_attr_get_payload(tb[NFVS_SVC_ATTR_FLAGS]);
		svc->flags = flags->flags;
	}
	svc->timeout = attr_u32(tb[NFVS_SVC_ATTR_TIMEOUT], 0);
	svc->netmask = attr_u32(tb[NFVS_SVC_ATTR_NETMASK], ~0U);
	counters_decode(tb[NFVS_SVC_ATTR_STATS64], &svc->stats);
	return 0;
}

static void dest_decode(const struct nlattr *nest, uint16_t svc_af,
			struct nfvs_dest *d)
{
	const struct nlattr *tb[NFVS_DEST_ATTR_MAX + 1];

	memset(d, 0, sizeof(*d));
	nl_parse_nested(nest, tb, NFVS_DEST_ATTR_MAX);
	d->rip.af = attr_u16(tb[NFVS_DEST_ATTR_ADDR_FAMILY], svc_af);
	attr_addr(tb[NFVS_DEST_ATTR_ADDR], d->rip.af, &d->rip.addr);
	d->rip.port = attr_be16(tb[NFVS_DEST_ATTR_PORT], 0);
	d->fwd = attr_u32(tb[NFVS_DEST_ATTR_FWD_METHOD], 0) & NFVS_FWD_MASK;
	d->weight = (int32_t)attr_u32(tb[NFVS_DEST_ATTR_WEIGHT], 0);
	d->u_thresh = attr_u32(tb[NFVS_DEST_ATTR_U_THRESH], 0);
	d->l_thresh = attr_u32(tb[NFVS_DEST_ATTR_L_THRESH], 0);
	d->active = attr_u32(tb[NFVS_DEST_ATTR_ACTIVE_CONNS], 0);
	d->inactive = attr_u32(tb[NFVS_DEST_ATTR_INACT_CONNS], 0);
	d->persist = attr_u32(tb[NFVS_DEST_ATTR_PERSIST_CONNS], 0);
	counters_decode(tb[NFVS_DEST_ATTR_STATS64], &d->stats);
}

struct svc_list_ctx {
	struct nfvs_svc *svcs;
	int n;
};

static int svc_list_cb(const struct nlattr **tb, void *data)
{
	struct svc_list_ctx *ctx = data;
	struct nfvs_svc *grown;

	if (!tb[NFVS_CMD_ATTR_SERVICE])
		return 0;
	grown = realloc(ctx->svcs, (ctx->n + 1) * sizeof(*grown));
	if (!grown)
		return -EXIT_KERNEL;
	ctx->svcs = grown;
	return svc_decode(tb[NFVS_CMD_ATTR_SERVICE], &ctx->svcs[ctx->n++]);
}

int svc_get(const struct nfvs_svc *ident, struct nfvs_svc *svc)
{
	struct svc_list_ctx ctx = { 0 };
	struct nl_req req;
	int ret;

	nl_req_start(&req, NFVS_CMD_GET_SERVICE, false);
	svc_put(&req, ident, false);
	ret = nl_run(&req, svc_list_cb, &ctx);
	if (!ret && ctx.n != 1)
		usage_error("no reply about service \"%s\"", ident->words);
	if (!ret)
		*svc = ctx.svcs[0];
	free(ctx.svcs);
	return ret;
}

static int endpoint_cmp(const struct nfvs_endpoint *a,
			const struct nfvs_endpoint *b)
{
	int c;

	if (a->af != b->af)
		return a->af - b->af;
	c = memcmp(&a->addr, &b->addr, a->af == AF_INET ? 4 : 16);
	if (c)
		return c;
	return a->port - b->port;
}

/* As ipvsadm lists them: address services first, then firewall marks. */
static int svc_cmp(const void *pa, const void *pb)
{
	const struct nfvs_svc *a = pa, *b = pb;

	if (!!a->fwmark != !!b->fwmark)
		return a->fwmark ? 1 : -1;
	if (a->fwmark)
		return a->fwmark < b->fwmark ? -1 : a->fwmark > b->fwmark;
	if (a->protocol != b->protocol)
		return a->protocol - b->protocol;
	return endpoint_cmp(&a->vip, &b->vip);
}

int svc_list(struct nfvs_svc **svcs, int *n)
{
	struct svc_list_ctx ctx = { 0 };
	struct nl_req req;
	int ret;

	nl_req_start(&req, NFVS_CMD_GET_SERVICE, true);
	ret = nl_run(&req, svc_list_cb, &ctx);
	if (ret) {
		free(ctx.svcs);
		return ret;
	}
	if (ctx.n)
		qsort(ctx.svcs, ctx.n, sizeof(*ctx.svcs), svc_cmp);
	*svcs = ctx.svcs;
	*n = ctx.n;
	return 0;
}

struct dest_list_ctx {
	uint16_t af;
	struct nfvs_dest *dests;
	int n;
};

static int dest_list_cb(const struct nlattr **tb, void *data)
{
	struct dest_list_ctx *ctx = data;
	struct nfvs_dest *grown;

	if (!tb[NFVS_CMD_ATTR_DEST])
		return 0;
	grown = realloc(ctx->dests, (ctx->n + 1) * sizeof(*grown));
	if (!grown)
		return -EXIT_KERNEL;
	ctx->dests = grown;
	dest_decode(tb[NFVS_CMD_ATTR_DEST], ctx->af, &ctx->dests[ctx->n++]);
	return 0;
}

static int dest_cmp(const void *pa, const void *pb)
{
	const struct nfvs_dest *a = pa, *b = pb;

	return endpoint_cmp(&a->rip, &b->rip);
}

int dest_list(const struct nfvs_svc *svc, struct nfvs_dest **dests, int *n)
{
	struct dest_list_ctx ctx = { .af = svc->af };
	struct nl_req req;
	int ret;

	nl_req_start(&req, NFVS_CMD_GET_DEST, true);
	svc_put(&req, svc, false);
	ret = nl_run(&req, dest_list_cb, &ctx);
	if (ret) {
		free(ctx.dests);
		return ret;
	}
	if (ctx.n)
		qsort(ctx.dests, ctx.n, sizeof(*ctx.dests), dest_cmp);
	*dests = ctx.dests;
	*n = ctx.n;
	return 0;
}

const char *svc_str(const struct nfvs_svc *svc, char *buf, size_t len)
{
	char ep[ENDPOINT_STRLEN];

	if (svc->fwmark)
		snprintf(buf, len, "fwmark %u", svc->fwmark);
	else
		snprintf(buf, len, "%s %s", proto_name(svc->protocol),
			 endpoint_str(&svc->vip, svc->protocol, ep, sizeof(ep)));
	return buf;
}

/* The members naming a service: the same keys for every kind. */
void svc_json_ident(const struct nfvs_svc *svc)
{
	char addr[INET6_ADDRSTRLEN];

	json_string("family", svc->af == AF_INET6 ? "inet6" : "inet");
	if (svc->fwmark) {
		json_null("protocol");
		json_null("address");
		json_null("port");
		json_uint("fwmark", svc->fwmark);
		return;
	}
	json_string("protocol", proto_name(svc->protocol));
	json_string("address", addr_str(svc->af, &svc->vip.addr, addr,
					sizeof(addr)));
	json_uint("port", svc->vip.port);
	json_null("fwmark");
}

void dest_json_ident(const struct nfvs_dest *dest)
{
	char addr[INET6_ADDRSTRLEN];

	json_string("address", addr_str(dest->rip.af, &dest->rip.addr, addr,
					sizeof(addr)));
	json_uint("port", dest->rip.port);
}

void counters_json(const char *key, const struct nfvs_counters *c)
{
	json_object_begin(key);
	json_uint("conns", c->conns);
	json_uint("inpkts", c->inpkts);
	json_uint("outpkts", c->outpkts);
	json_uint("inbytes", c->inbytes);
	json_uint("outbytes", c->outbytes);
	json_object_end();
}

/* ipvsadm's names: sh and mh name their first two flags. */
const char *sched_flag_name(const char *sched, uint32_t flag)
{
	static const char *const generic[] = { "flag-1", "flag-2", "flag-3" };
	int i = flag == NFVS_SVC_F_SCHED1 ? 0 :
		flag == NFVS_SVC_F_SCHED2 ? 1 : 2;

	if (!strcmp(sched, "sh") && i < 2)
		return i ? "sh-port" : "sh-fallback";
	if (!strcmp(sched, "mh") && i < 2)
		return i ? "mh-port" : "mh-fallback";
	return generic[i];
}

void dest_json(const struct nfvs_dest *d)
{
	json_object_begin(NULL);
	dest_json_ident(d);
	json_string("forward", fwd_name(d->fwd));
	json_int("weight", d->weight);
	json_uint("u_threshold", d->u_thresh);
	json_uint("l_threshold", d->l_thresh);
	json_uint("active_conns", d->active);
	json_uint("inactive_conns", d->inactive);
	json_uint("persistent_conns", d->persist);
	json_object_end();
}

void dest_table_header(void)
{
	printf("  -> %-26s %-5s %10s %8s %8s %8s %8s %8s\n", "REAL SERVER",
	       "FWD", "WEIGHT", "ACTIVE", "INACTIVE", "PERSIST", "U-THRESH",
	       "L-THRESH");
}

void dest_table_row(const struct nfvs_dest *d)
{
	char ep[ENDPOINT_STRLEN];

	printf("  -> %-26s %-5s %10d %8u %8u %8u %8u %8u\n",
	       endpoint_str(&d->rip, 0, ep, sizeof(ep)), fwd_name(d->fwd),
	       d->weight, d->active, d->inactive, d->persist, d->u_thresh,
	       d->l_thresh);
}
