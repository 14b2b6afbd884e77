// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl sysctl [NAME [VALUE]]: the namespace's net.nfvs sysctls, read
 * and written under /proc/sys/net/nfvs/, each with its range and meaning
 * (Documentation/sysctl.rst). A value out of range is refused here; the
 * kernel checks again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/nfvs.h>

#include "json.h"
#include "nfvsctl.h"

#define SYSCTL_ROOT	"/proc/sys/" NFVS_SYSCTL_DIR

struct nfvs_sysctl {
	const char *name;
	int min, max, def;	/* def DEF_BY_RAM: set from the RAM at load */
	const char *meaning;
};

#define DEF_BY_RAM	-1

static const struct nfvs_sysctl sysctls[] = {
	{ "amemthresh", 1024, 1024, 1024,
	  "no defense modes: fixed (IPVS: their free memory threshold)" },
	{ "conn_max", 1, INT_MAX, DEF_BY_RAM,
	  "most connections kept; then unproven ones make room (default: one per 4 KiB of RAM)" },
	{ "conn_reuse_mode", 0, 3, 1,
	  "how a reused client port is handled (IPVS's bit values)" },
	{ "conntrack", 0, 1, 0,
	  "1: every nfvs connection gets a confirmed conntrack entry" },
	{ "drop_entry", 0, 0, 0,
	  "no defense modes: off (IPVS: drop connection entries)" },
	{ "drop_packet", 0, 0, 0,
	  "no defense modes: off (IPVS: drop packets)" },
	{ "expire_nodest_conn", 0, 1, 0,
	  "drop the connections of a removed destination at once" },
	{ "expire_quiescent_template", 0, 1, 0,
	  "expire persistence templates of a destination with weight 0" },
	{ "nat_icmp_send", 0, 0, 0,
	  "fixed: packets of unknown NAT flows pass on, unanswered" },
	{ "pmtu_disc", 1, 1, 1,
	  "fixed: DF is honoured, frag-needed sent" },
	{ "schedule_icmp", 0, 0, 0,
	  "fixed: ICMP that opens no flow is not scheduled" },
	{ "secure_tcp", 0, 0, 0,
	  "no defense modes: off (IPVS: stricter TCP timeouts)" },
	{ "sloppy_tcp", 0, 0, 0,
	  "fixed: connections open on a SYN only" },
	{ "snat_reroute", 0, 1, 1,
	  "route NAT replies again after SNAT" },
};

#define N_SYSCTLS	ARRAY_SIZE(sysctls)

static void sysctl_help(FILE *f)
{
	char range[32];
	size_t i;

	fputs("Usage: nfvsctl sysctl [ NAME [ VALUE ] ]\n"
	      "Shows every nfvs sysctl of this network namespace, one, or sets one\n"
	      "(" SYSCTL_ROOT "/NAME).\n\n", f);
	fprintf(f, "%-26s %-7s %-6s %s\n", "NAME", "DEFAULT", "RANGE",
		"MEANING");
	for (i = 0; i < N_SYSCTLS; i++) {
		if (sysctls[i].min == sysctls[i].max)
			snprintf(range, sizeof(range), "%d", sysctls[i].min);
		else if (sysctls[i].max == INT_MAX)
			snprintf(range, sizeof(range), "%d-", sysctls[i].min);
		else
			snprintf(range, sizeof(range), "%d-%d", sysctls[i].min,
				 sysctls[i].max);
		if (sysctls[i].def == DEF_BY_RAM)
			fprintf(f, "%-26s %-7s %-6s %s\n", sysctls[i].name,
				"by RAM", range, sysctls[i].meaning);
		else
			fprintf(f, "%-26s %-7d %-6s %s\n", sysctls[i].name,
				sysctls[i].def, range, sysctls[i].meaning);
	}
}

static int sysctl_read(const char *name, long *value)
{
	char path[PATH_MAX], buf[64], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSCTL_ROOT "/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*value = strtol(buf, &end, 10);
	return 0;
}

static void sysctl_missing(void)
{
	fprintf(stderr, "nfvsctl: %s: %s: %s (is the nfvs module loaded?)\n",
		cmd_context, SYSCTL_ROOT, strerror(errno));
	exit(EXIT_KERNEL);
}

static void sysctl_print(const struct nfvs_sysctl *s, long value)
{
	if (opts.json) {
		json_object_begin(NULL);
		json_string("name", s->name);
		json_int("value", value);
		if (s->def == DEF_BY_RAM)
			json_null("default");
		else
			json_int("default", s->def);
		json_int("min", s->min);
		json_int("max", s->max);
		json_string("meaning", s->meaning);
		json_object_end();
	} else {
		printf("%-26s %-11ld %s\n", s->name, value, s->meaning);
	}
}

static int sysctl_show(const struct nfvs_sysctl *only)
{
	long value;
	size_t i;
	DIR *dir;

	dir = opendir(SYSCTL_ROOT);
	if (!dir)
		sysctl_missing();
	closedir(dir);
	if (opts.json) {
		json_object_begin(NULL);
		json_array_begin("sysctls");
	}
	for (i = 0; i < N_SYSCTLS; i++) {
		if (only && only != &sysctls[i])
			continue;
		if (sysctl_read(sysctls[i].name, &value)) {
			/* An older module: not every sysctl is there. */
			if (only)
				sysctl_missing();
			continue;
		}
		sysctl_print(&sysctls[i], value);
	}
	if (opts.json) {
		json_array_end();
		json_object_end();
		json_done();
	}
	return 0;
}

static int sysctl_write(const struct nfvs_sysctl *s, const char *word)
{
	char path[PATH_MAX], buf[32];
	long long v;
	char *end;
	int fd, len;

	errno = 0;
	v = strtoll(word, &end, 10);
	if (!*word || *end || errno)
		usage_error("%s \"%s\": not an integer", s->name, word);
	if (s->min == s->max && v != s->min)
		usage_error("%s \"%s\": not implemented, fixed at %d",
			    s->name, word, s->min);
	if (v < s->min || v > s->max)
		usage_error("%s \"%s\": out of range %d-%d", s->name, word,
			    s->min, s->max);
	snprintf(path, sizeof(path), SYSCTL_ROOT "/%s", s->name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		sysctl_missing();
	len = snprintf(buf, sizeof(buf), "%lld\n", v);
	if (write(fd, buf, len) != len) {
		fprintf(stderr, "nfvsctl: %s: kernel refused \"%s %s\" (%s: %s)\n",
			cmd_context, s->name, word, strerrorname_np(errno),
			strerror(errno));
		close(fd);
		return EXIT_KERNEL;
	}
	close(fd);
	return 0;
}

int do_sysctl(int argc, char **argv)
{
	const char *names[N_SYSCTLS + 1];
	const struct nfvs_sysctl *s;
	size_t i;

	cmd_context = "sysctl";
	if (argc == 0)
		return sysctl_show(NULL);
	if (is_help(argv[0])) {
		sysctl_help(stdout);
		return 0;
	}
	for (i = 0; i < N_SYSCTLS; i++)
		names[i] = sysctls[i].name;
	names[N_SYSCTLS] = NULL;
	s = &sysctls[match_word_or_die(argv[0], names, "sysctl")];
	if (argc == 1)
		return sysctl_show(s);
	if (argc > 2)
		usage_error("unexpected \"%s\"", argv[2]);
	if (opts.json)
		usage_error("--json shows, it does not set");
	return sysctl_write(s, argv[1]);
}
