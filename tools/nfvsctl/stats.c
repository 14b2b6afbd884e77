// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl stats and rate: the 64-bit counters of every service and real
 * server (NFVS_*_ATTR_STATS64), and rates per second measured here as the
 * difference of two readings: the module keeps no rate estimator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "table.h"

static void stats_help(FILE *f)
{
	fputs("Usage: nfvsctl stats [ show ] [ SERVICE ]\n"
	      "       nfvsctl stats zero [ SERVICE ]\n"
	      "       nfvsctl rate [ SERVICE ] [ interval SECONDS ]\n"
	      "SERVICE := { tcp | udp } ADDR:PORT | fwmark MARK\n"
	      "stats: connections, packets and bytes in and out since the service\n"
	      "or real server was added (or zeroed); rate: the same per second,\n"
	      "over INTERVAL (default 1 second).\n", f);
}

/* One service and its real servers, counted. */
struct svc_stats {
	struct nfvs_svc svc;
	struct nfvs_dest *dests;
	int n;
};

static int read_table(const struct nfvs_svc *only, struct svc_stats **out,
		      int *n)
{
	struct nfvs_svc *svcs = NULL, one;
	struct svc_stats *t;
	int nsvc, i, ret;

	if (only) {
		ret = svc_get(only, &one);
		if (ret)
			return ret;
		svcs = malloc(sizeof(*svcs));
		if (!svcs)
			return EXIT_KERNEL;
		svcs[0] = one;
		nsvc = 1;
	} else {
		ret = svc_list(&svcs, &nsvc);
		if (ret)
			return ret;
	}
	t = calloc(nsvc ? nsvc : 1, sizeof(*t));
	if (!t) {
		free(svcs);
		return EXIT_KERNEL;
	}
	for (i = 0; i < nsvc && !ret; i++) {
		t[i].svc = svcs[i];
		ret = dest_list(&svcs[i], &t[i].dests, &t[i].n);
	}
	free(svcs);
	*out = t;
	*n = nsvc;
	return ret;
}

static void counters_row(const char *name, const struct nfvs_counters *c)
{
	printf("%-32s %10llu %12llu %12llu %14llu %14llu\n", name,
	       (unsigned long long)c->conns, (unsigned long long)c->inpkts,
	       (unsigned long long)c->outpkts, (unsigned long long)c->inbytes,
	       (unsigned long long)c->outbytes);
}

static void rates_json(const char *key, const struct nfvs_counters *c)
{
	json_object_begin(key);
	json_uint("cps", c->conns);
	json_uint("inpps", c->inpkts);
	json_uint("outpps", c->outpkts);
	json_uint("inbps", c->inbytes);
	json_uint("outbps", c->outbytes);
	json_object_end();
}

static void stats_json(bool rate, const struct nfvs_counters *c)
{
	if (rate)
		rates_json("rates", c);
	else
		counters_json("stats", c);
}

/* Prints counters, or with rate the per-second rates of c. */
static void print_table(const struct svc_stats *t, int n, bool rate,
			unsigned int interval)
{
	char name[SVC_WORDS_MAX], ep[ENDPOINT_STRLEN];
	int i, j;

	if (opts.json) {
		json_object_begin(NULL);
		if (rate)
			json_uint("interval", interval);
		json_array_begin("services");
	} else if (rate) {
		printf("%-32s %10s %12s %12s %14s %14s\n", "SERVICE / REAL SERVER",
		       "CPS", "INPPS", "OUTPPS", "INBPS", "OUTBPS");
	} else {
		printf("%-32s %10s %12s %12s %14s %14s\n", "SERVICE / REAL SERVER",
		       "CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES");
	}
	for (i = 0; i < n; i++) {
		if (opts.json) {
			json_object_begin(NULL);
			svc_json_ident(&t[i].svc);
			stats_json(rate, &t[i].svc.stats);
			json_array_begin("destinations");
		} else {
			svc_str(&t[i].svc, name, sizeof(name));
			counters_row(name, &t[i].svc.stats);
		}
		for (j = 0; j < t[i].n; j++) {
			if (opts.json) {
				json_object_begin(NULL);
				dest_json_ident(&t[i].dests[j]);
				stats_json(rate, &t[i].dests[j].stats);
				json_object_end();
				continue;
			}
			snprintf(name, sizeof(name), "  -> %s",
				 endpoint_str(&t[i].dests[j].rip,
					      t[i].svc.protocol, ep, sizeof(ep)));
			counters_row(name, &t[i].dests[j].stats);
		}
		if (opts.json) {
			json_array_end();
			json_object_end();
		}
	}
	if (opts.json) {
		json_array_end();
		json_object_end();
		json_done();
	}
}

static void free_table(struct svc_stats *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(t[i].dests);
	free(t);
}

static void parse_service_arg(int *argc, char ***argv, struct nfvs_svc *svc,
			      bool *given)
{
	static const char *const kinds[] = { "tcp", "udp", "fwmark", NULL };

	*given = *argc > 0 && match_word((*argv)[0], kinds) >= 0;
	if (*given)
		svc_parse_ident(argc, argv, svc);
}

static int stats_zero(int argc, char **argv)
{
	struct nfvs_svc svc;
	struct nl_req req;
	bool one;

	parse_service_arg(&argc, &argv, &svc, &one);
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	nl_req_start(&req, NFVS_CMD_ZERO, false);
	if (one)
		svc_put(&req, &svc, false);
	return nl_run(&req, NULL, NULL);
}

static int stats_show(int argc, char **argv)
{
	struct svc_stats *t = NULL;
	struct nfvs_svc svc;
	int n = 0, ret;
	bool one;

	parse_service_arg(&argc, &argv, &svc, &one);
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	ret = read_table(one ? &svc : NULL, &t, &n);
	if (!ret)
		print_table(t, n, false, 0);
	free_table(t, n);
	return ret;
}

int do_stats(int argc, char **argv)
{
	static const char *const verbs[] = { "show", "zero", "help", NULL };
	int v = 0;

	cmd_context = "stats";
	if (argc > 0 && (match_word(argv[0], verbs) >= 0 || is_help(argv[0]))) {
		v = is_help(argv[0]) ? 2 : match_word(argv[0], verbs);
		argc--, argv++;
	}
	switch (v) {
	case 0:
		cmd_context = "stats show";
		return stats_show(argc, argv);
	case 1:
		cmd_context = "stats zero";
		return stats_zero(argc, argv);
	default:
		stats_help(stdout);
		return 0;
	}
}

static const struct nfvs_dest *find_dest(const struct svc_stats *s,
					 const struct nfvs_dest *d)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->dests[i].rip.af == d->rip.af &&
		    s->dests[i].rip.port == d->rip.port &&
		    !memcmp(&s->dests[i].rip.addr, &d->rip.addr, 16))
			return &s->dests[i];
	return NULL;
}

static const struct svc_stats *find_svc(const struct svc_stats *t, int n,
					const struct nfvs_svc *svc)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].svc.af == svc->af && t[i].svc.fwmark == svc->fwmark &&
		    t[i].svc.protocol == svc->protocol &&
		    t[i].svc.vip.port == svc->vip.port &&
		    !memcmp(&t[i].svc.vip.addr, &svc->vip.addr, 16))
			return &t[i];
	return NULL;
}

/* A counter that went back (zeroed) gives 0. */
static uint64_t rate_of(uint64_t later, uint64_t earlier, double secs)
{
	return later >= earlier ? (uint64_t)((later - earlier) / secs + 0.5) : 0;
}

static void per_second(struct nfvs_counters *later,
		       const struct nfvs_counters *earlier, double secs)
{
	later->conns = rate_of(later->conns, earlier->conns, secs);
	later->inpkts = rate_of(later->inpkts, earlier->inpkts, secs);
	later->outpkts = rate_of(later->outpkts, earlier->outpkts, secs);
	later->inbytes = rate_of(later->inbytes, earlier->inbytes, secs);
	later->outbytes = rate_of(later->outbytes, earlier->outbytes, secs);
}

int do_rate(int argc, char **argv)
{
	struct svc_stats *t0 = NULL, *t1 = NULL;
	const struct svc_stats *s0;
	const struct nfvs_dest *d0;
	struct timespec a, b, wait;
	unsigned int interval = 1;
	struct nfvs_svc svc;
	int n0 = 0, n1 = 0, i, j, ret;
	double secs;
	bool one;

	cmd_context = "rate";
	if (argc > 0 && is_help(argv[0])) {
		stats_help(stdout);
		return 0;
	}
	parse_service_arg(&argc, &argv, &svc, &one);
	if (argc > 0) {
		static const char *const keys[] = { "interval", NULL };

		match_word_or_die(argv[0], keys, "option");
		argc--, argv++;
		interval = parse_u32(next_arg(&argc, &argv, "interval seconds"),
				     "interval", 1, 3600);
		if (argc > 0)
			usage_error("unexpected \"%s\"", argv[0]);
	}
	ret = read_table(one ? &svc : NULL, &t0, &n0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (!ret) {
		wait.tv_sec = interval;
		wait.tv_nsec = 0;
		nanosleep(&wait, NULL);
		ret = read_table(one ? &svc : NULL, &t1, &n1);
		clock_gettime(CLOCK_MONOTONIC, &b);
	}
	if (!ret) {
		secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		for (i = 0; i < n1; i++) {
			s0 = find_svc(t0, n0, &t1[i].svc);
			if (s0)
				per_second(&t1[i].svc.stats, &s0->svc.stats,
					   secs);
			for (j = 0; j < t1[i].n; j++) {
				d0 = s0 ? find_dest(s0, &t1[i].dests[j]) : NULL;
				if (d0)
					per_second(&t1[i].dests[j].stats,
						   &d0->stats, secs);
				else
					memset(&t1[i].dests[j].stats, 0,
					       sizeof(t1[i].dests[j].stats));
			}
			if (!s0)
				memset(&t1[i].svc.stats, 0,
				       sizeof(t1[i].svc.stats));
		}
		print_table(t1, n1, true, interval);
	}
	free_table(t0, n0);
	free_table(t1, n1);
	return ret;
}
