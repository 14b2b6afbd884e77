// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl: configure and inspect nfvs, in the style of ip(8): global
 * options, then OBJECT VERB ARGUMENTS, each word accepted as an
 * unambiguous prefix. Exit status: 0 done, 1 usage error, 2 refused by the
 * kernel (or the module is missing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfvsctl.h"

#ifndef NFVSCTL_VERSION
#define NFVSCTL_VERSION "0.1"
#endif

struct nfvsctl_opts opts;
const char *cmd_context;

static void main_help(FILE *f)
{
	fputs("Usage: nfvsctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
	      "OBJECT  := { service | dest | conn | stats | rate | sysctl | monitor }\n"
	      "OPTIONS := { -j[son] | -n[umeric] | -h[elp] | -V[ersion] }\n"
	      "  service  virtual services: add, set, del, show, flush\n"
	      "  dest     real servers of a service: add, set, del, show\n"
	      "  conn     the connection table joined with conntrack: show\n"
	      "  stats    counters per service and real server; zero\n"
	      "  rate     the same per second, measured over an interval\n"
	      "  sysctl   the net.nfvs sysctls: show, set, what each means\n"
	      "  monitor  connection events, when the module sends them\n"
	      "-j: one JSON document (field names in nfvsctl(8)); -n: numbers,\n"
	      "not host and port names. Every word may be shortened while it\n"
	      "stays unambiguous: nfvsctl serv sh.\n", f);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	main_help(stdout);
	return 0;
}

static int do_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("nfvsctl %s\n", NFVSCTL_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} objects[] = {
	{ "service", do_service },
	{ "dest", do_dest },
	{ "conn", do_conn },
	{ "stats", do_stats },
	{ "rate", do_rate },
	{ "sysctl", do_sysctl },
	{ "monitor", do_monitor },
	{ "help", do_help },
	{ "version", do_version },
};

#define N_OBJECTS ARRAY_SIZE(objects)

/* -j, --json, -json; -n, --numeric...: one or two dashes, any prefix. */
static bool global_option(const char *arg)
{
	static const char *const names[] = {
		"json", "numeric", "help", "Version", NULL
	};
	const char *word = arg + 1 + (arg[1] == '-');

	switch (match_word(word, names)) {
	case 0:
		opts.json = true;
		return true;
	case 1:
		opts.numeric = true;
		return true;
	case 2:
		main_help(stdout);
		exit(0);
	case 3:
		do_version(0, NULL);
		exit(0);
	}
	usage_error("unknown option \"%s\" (see: nfvsctl help)", arg);
}

int main(int argc, char **argv)
{
	const char *names[N_OBJECTS + 1];
	size_t i;
	int o;

	argc--, argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		global_option(argv[0]);
		argc--, argv++;
	}
	if (argc == 0) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < N_OBJECTS; i++)
		names[i] = objects[i].name;
	names[N_OBJECTS] = NULL;
	if (is_help(argv[0]))
		return do_help(0, NULL);
	o = match_word_or_die(argv[0], names, "object");
	return objects[o].run(argc - 1, argv + 1);
}
