// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl dest add|set|del|show: the real servers of a service. "add"
 * starts from ipvsadm's defaults (direct routing, weight 1, no thresholds);
 * "set" reads the destination first and changes only what its words name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "table.h"

static void dest_help(FILE *f)
{
	fputs("Usage: nfvsctl dest add SERVICE ADDR[:PORT] [OPTIONS]\n"
	      "       nfvsctl dest set SERVICE ADDR[:PORT] [OPTIONS]\n"
	      "       nfvsctl dest del SERVICE ADDR[:PORT]\n"
	      "       nfvsctl dest show SERVICE\n"
	      "SERVICE := { tcp | udp } ADDR:PORT | fwmark MARK\n"
	      "OPTIONS := [ fwd { nat | dr | tun } ] [ weight N ]\n"
	      "           [ u-threshold N ] [ l-threshold N ]\n"
	      "Without PORT, the service's port. add: fwd dr, weight 1, thresholds 0.\n"
	      "Weight 0 quiesces; u-threshold caps connections (0: none);\n"
	      "l-threshold (<= u-threshold) is where new ones resume.\n", f);
}

struct dest_words {
	const char *rip;
	const char *fwd, *weight, *u_thresh, *l_thresh;
};

static void parse_dest(int *argc, char ***argv, const struct nfvs_svc *svc,
		       struct nfvs_dest *d, struct dest_words *w)
{
	const char *word;
	unsigned int flags = PORT_OPTIONAL;

	memset(d, 0, sizeof(*d));
	memset(w, 0, sizeof(*w));
	word = next_arg(argc, argv, "real server ADDR[:PORT]");
	if (is_help(word)) {
		dest_help(stdout);
		exit(0);
	}
	/* Port 0 means "the packet's port": only for services of every port. */
	if (!svc->vip.port)
		flags |= PORT_ZERO_OK;
	parse_endpoint(word, "real server", flags, &d->rip);
	if (!strchr(word, ':') || word[strlen(word) - 1] == ']')
		d->rip.port = svc->vip.port;
	w->rip = word;
}

static void parse_options(int argc, char **argv, struct nfvs_dest *d,
			  struct dest_words *w)
{
	static const char *const keys[] = {
		"fwd", "weight", "u-threshold", "l-threshold", "help", NULL
	};
	const char *key, *val;

	while (argc > 0) {
		key = next_arg(&argc, &argv, "option");
		if (match_word_or_die(key, keys, "option") == 4) {
			dest_help(stdout);
			exit(0);
		}
		val = next_arg(&argc, &argv, key);
		switch (match_word(key, keys)) {
		case 0:
			d->fwd = fwd_parse(val);
			w->fwd = join_words("fwd", val);
			break;
		case 1:
			d->weight = parse_u32(val, "weight", 0, UINT32_MAX);
			w->weight = join_words("weight", val);
			break;
		case 2:
			d->u_thresh = parse_u32(val, "u-threshold", 0,
						UINT32_MAX);
			w->u_thresh = join_words("u-threshold", val);
			break;
		case 3:
			d->l_thresh = parse_u32(val, "l-threshold", 0,
						UINT32_MAX);
			w->l_thresh = join_words("l-threshold", val);
			break;
		}
	}
}

static void put_u32(struct nl_req *req, uint16_t type, uint32_t v,
		    const char *words)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(req->nlh);

	mnl_attr_put_u32(req->nlh, type, v);
	nl_req_arg(req, a, words);
}

static void dest_put(struct nl_req *req, const struct nfvs_dest *d,
		     const struct dest_words *w, bool full)
{
	struct nlattr *nest, *a;

	nest = mnl_attr_nest_start(req->nlh, NFVS_CMD_ATTR_DEST);
	a = mnl_nlmsg_get_payload_tail(req->nlh);
	mnl_attr_put(req->nlh, NFVS_DEST_ATTR_ADDR, sizeof(d->rip.addr),
		     &d->rip.addr);
	nl_req_arg(req, a, w->rip);
	a = mnl_nlmsg_get_payload_tail(req->nlh);
	mnl_attr_put_u16(req->nlh, NFVS_DEST_ATTR_PORT, htons(d->rip.port));
	nl_req_arg(req, a, w->rip);
	a = mnl_nlmsg_get_payload_tail(req->nlh);
	mnl_attr_put_u16(req->nlh, NFVS_DEST_ATTR_ADDR_FAMILY, d->rip.af);
	nl_req_arg(req, a, w->rip);
	if (full) {
		put_u32(req, NFVS_DEST_ATTR_FWD_METHOD, d->fwd, w->fwd);
		put_u32(req, NFVS_DEST_ATTR_WEIGHT, d->weight, w->weight);
		put_u32(req, NFVS_DEST_ATTR_U_THRESH, d->u_thresh, w->u_thresh);
		put_u32(req, NFVS_DEST_ATTR_L_THRESH, d->l_thresh, w->l_thresh);
	}
	mnl_attr_nest_end(req->nlh, nest);
}

static int dest_send(uint8_t cmd, const struct nfvs_svc *svc,
		     const struct nfvs_dest *d, const struct dest_words *w,
		     bool full)
{
	struct nl_req req;

	nl_req_start(&req, cmd, false);
	svc_put(&req, svc, false);
	dest_put(&req, d, w, full);
	return nl_run(&req, NULL, NULL);
}

static int dest_add(int argc, char **argv)
{
	struct nfvs_dest d;
	struct dest_words w;
	struct nfvs_svc svc;

	svc_parse_ident(&argc, &argv, &svc);
	parse_dest(&argc, &argv, &svc, &d, &w);
	d.fwd = NFVS_FWD_DROUTE;
	d.weight = 1;
	parse_options(argc, argv, &d, &w);
	return dest_send(NFVS_CMD_NEW_DEST, &svc, &d, &w, true);
}

static int dest_set(int argc, char **argv)
{
	struct nfvs_dest want, *dests = NULL;
	struct dest_words w;
	struct nfvs_svc svc;
	int n, i, ret;

	svc_parse_ident(&argc, &argv, &svc);
	parse_dest(&argc, &argv, &svc, &want, &w);
	if (argc == 0)
		usage_error("nothing to change (see: nfvsctl dest help)");
	ret = dest_list(&svc, &dests, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (dests[i].rip.af == want.rip.af &&
		    !memcmp(&dests[i].rip.addr, &want.rip.addr, 16) &&
		    dests[i].rip.port == want.rip.port)
			break;
	if (i == n) {
		fprintf(stderr,
			"nfvsctl: dest set: service \"%s\" has no real server \"%s\"\n",
			svc.words, w.rip);
		free(dests);
		return EXIT_KERNEL;
	}
	want.fwd = dests[i].fwd;
	want.weight = dests[i].weight;
	want.u_thresh = dests[i].u_thresh;
	want.l_thresh = dests[i].l_thresh;
	free(dests);
	parse_options(argc, argv, &want, &w);
	return dest_send(NFVS_CMD_SET_DEST, &svc, &want, &w, true);
}

static int dest_del(int argc, char **argv)
{
	struct nfvs_dest d;
	struct dest_words w;
	struct nfvs_svc svc;

	svc_parse_ident(&argc, &argv, &svc);
	parse_dest(&argc, &argv, &svc, &d, &w);
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	return dest_send(NFVS_CMD_DEL_DEST, &svc, &d, &w, false);
}

static int dest_show(int argc, char **argv)
{
	struct nfvs_dest *dests = NULL;
	struct nfvs_svc svc;
	int n, i, ret;

	svc_parse_ident(&argc, &argv, &svc);
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	ret = dest_list(&svc, &dests, &n);
	if (ret)
		return ret;
	if (opts.json) {
		json_object_begin(NULL);
		json_object_begin("service");
		svc_json_ident(&svc);
		json_object_end();
		json_array_begin("destinations");
		for (i = 0; i < n; i++)
			dest_json(&dests[i]);
		json_array_end();
		json_object_end();
		json_done();
	} else {
		dest_table_header();
		for (i = 0; i < n; i++)
			dest_table_row(&dests[i]);
	}
	free(dests);
	return 0;
}

int do_dest(int argc, char **argv)
{
	static const char *const verbs[] = {
		"add", "set", "del", "show", "help", "list", NULL
	};
	int v;

	if (argc == 0) {
		dest_help(stderr);
		return EXIT_USAGE;
	}
	v = match_word_or_die(argv[0], verbs, "dest command");
	argc--, argv++;
	if (v < 4 && argc > 0 && is_help(argv[0]))
		v = 4;
	switch (v) {
	case 0:
		cmd_context = "dest add";
		return dest_add(argc, argv);
	case 1:
		cmd_context = "dest set";
		return dest_set(argc, argv);
	case 2:
		cmd_context = "dest del";
		return dest_del(argc, argv);
	case 3:
	case 5:
		cmd_context = "dest show";
		return dest_show(argc, argv);
	default:
		dest_help(stdout);
		return 0;
	}
}
