// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl service add|set|del|show|flush. "set" reads the service first and
 * changes only what its words name; "add" starts from ipvsadm's defaults
 * (wlc, not persistent), so that both tools describe the same service.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "table.h"

#define SVC_SCHED_FLAGS	(NFVS_SVC_F_SCHED1 | NFVS_SVC_F_SCHED2 | \
			 NFVS_SVC_F_SCHED3)
#define PERSIST_DEFAULT	300

static void service_help(FILE *f)
{
	fputs("Usage: nfvsctl service add SERVICE [OPTIONS]\n"
	      "       nfvsctl service set SERVICE [OPTIONS]\n"
	      "       nfvsctl service del SERVICE\n"
	      "       nfvsctl service show [SERVICE]\n"
	      "       nfvsctl service flush\n"
	      "SERVICE := { tcp | udp } ADDR:PORT | fwmark MARK\n"
	      "OPTIONS := [ sched NAME ] [ persistent [ SECONDS | off ] ] [ netmask MASK ]\n"
	      "           [ flags { FLAG[,FLAG...] | none } ] [ helper { ftp | none } ]\n"
	      "NAME    := rr | wrr | lc | wlc | sed | nq | fo | ovf | sh | dh | mh | none\n"
	      "           (add: wlc)\n"
	      "FLAG    := sh-fallback | sh-port (sched sh) | mh-fallback | mh-port (sched mh)\n"
	      "           | one-packet\n"
	      "MASK    := A.B.C.D | /LEN  persistence granularity (with persistent)\n"
	      "Port 0 (every port) needs persistent. \"set\" keeps what it does not name;\n"
	      "a new scheduler drops the old one's flags unless flags are given.\n",
	      f);
}

/* What the words of add or set asked for. */
struct svc_change {
	const char *sched;
	bool persistent_given, persistent;
	uint32_t timeout;
	bool netmask_given;
	uint32_t netmask;
	bool flags_given;
	uint32_t flags;
	const char *flag_words[8];
	int n_flag_words;
	const char *helper;
};

static uint32_t parse_netmask(const char *word)
{
	struct in_addr in;
	uint32_t m, len;

	if (word[0] == '/' || !strchr(word, '.')) {
		len = parse_u32(word + (word[0] == '/'), "netmask", 0, 32);
		return htonl(len ? ~0U << (32 - len) : 0);
	}
	if (inet_pton(AF_INET, word, &in) != 1)
		usage_error("netmask \"%s\": not an IPv4 netmask", word);
	m = ntohl(in.s_addr);
	if (m & (~m >> 1))
		usage_error("netmask \"%s\": not contiguous", word);
	return in.s_addr;
}

static void parse_flags(const char *word, struct svc_change *ch)
{
	static const char *const names[] = {
		"sh-fallback", "sh-port", "mh-fallback", "mh-port",
		"one-packet", "none", NULL
	};
	static const uint32_t bits[] = {
		NFVS_SVC_F_SCHED_SH_FALLBACK, NFVS_SVC_F_SCHED_SH_PORT,
		NFVS_SVC_F_SCHED_MH_FALLBACK, NFVS_SVC_F_SCHED_MH_PORT,
		NFVS_SVC_F_ONEPACKET, 0,
	};
	char *list = strdup(word), *tok, *save = NULL;
	int i;

	ch->flags_given = true;
	ch->flags = 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		i = match_word_or_die(tok, names, "flag");
		ch->flags |= bits[i];
		if (i < 4 && ch->n_flag_words < 8)
			ch->flag_words[ch->n_flag_words++] = names[i];
		if (i == 5 && strcmp(word, tok))
			usage_error("flags \"%s\": none goes alone", word);
	}
	if (!ch->flags && strcmp(word, "none") && strcmp(word, "n"))
		usage_error("flags \"%s\": no flag named", word);
}

static void parse_change(int argc, char **argv, struct nfvs_svc *svc,
			 struct svc_change *ch)
{
	static const char *const keys[] = {
		"sched", "persistent", "netmask", "flags", "helper", "help",
		NULL
	};
	const char *key, *val;

	memset(ch, 0, sizeof(*ch));
	while (argc > 0) {
		key = next_arg(&argc, &argv, "option");
		switch (match_word_or_die(key, keys, "option")) {
		case 0:
			val = next_arg(&argc, &argv, "scheduler name");
			if (strlen(val) >= NFVS_SCHED_NAME_MAX)
				usage_error("sched \"%s\": name too long", val);
			ch->sched = val;
			svc->attr_words[NFVS_SVC_ATTR_SCHED_NAME] =
				join_words("sched", val);
			break;
		case 1:
			ch->persistent_given = true;
			ch->persistent = true;
			ch->timeout = PERSIST_DEFAULT;
			if (argc > 0 && !strcmp(argv[0], "off")) {
				ch->persistent = false;
				ch->timeout = 0;
				argc--, argv++;
			} else if (argc > 0 && argv[0][0] >= '0' &&
				   argv[0][0] <= '9') {
				val = next_arg(&argc, &argv, "seconds");
				ch->timeout = parse_u32(val, "persistent", 1,
							UINT32_MAX);
				svc->attr_words[NFVS_SVC_ATTR_TIMEOUT] =
					join_words("persistent", val);
			}
			break;
		case 2:
			val = next_arg(&argc, &argv, "netmask");
			ch->netmask_given = true;
			ch->netmask = parse_netmask(val);
			svc->attr_words[NFVS_SVC_ATTR_NETMASK] =
				join_words("netmask", val);
			break;
		case 3:
			val = next_arg(&argc, &argv, "flags");
			parse_flags(val, ch);
			svc->attr_words[NFVS_SVC_ATTR_FLAGS] =
				join_words("flags", val);
			break;
		case 4:
			val = next_arg(&argc, &argv, "helper name");
			if (strlen(val) >= NFVS_HELPER_NAME_MAX)
				usage_error("helper \"%s\": name too long",
					    val);
			ch->helper = val;
			svc->attr_words[NFVS_SVC_ATTR_HELPER] =
				join_words("helper", val);
			break;
		default:
			service_help(stdout);
			exit(0);
		}
	}
}

/* The service the words describe, from svc (defaults or the kernel's). */
static void apply_change(struct nfvs_svc *svc, const struct svc_change *ch)
{
	bool persistent;
	int i;

	if (ch->sched && strcmp(ch->sched, svc->sched) && !ch->flags_given)
		svc->flags &= ~SVC_SCHED_FLAGS;
	if (ch->sched)
		snprintf(svc->sched, sizeof(svc->sched), "%s", ch->sched);
	if (ch->flags_given)
		svc->flags = (svc->flags & NFVS_SVC_F_PERSISTENT) | ch->flags;
	if (ch->persistent_given) {
		svc->flags &= ~NFVS_SVC_F_PERSISTENT;
		if (ch->persistent)
			svc->flags |= NFVS_SVC_F_PERSISTENT;
		svc->timeout = ch->timeout;
	}
	if (ch->netmask_given)
		svc->netmask = ch->netmask;
	if (ch->helper)
		snprintf(svc->helper, sizeof(svc->helper), "%s", ch->helper);
	svc->flags &= ~NFVS_SVC_F_HASHED;

	for (i = 0; i < ch->n_flag_words; i++)
		if (strncmp(ch->flag_words[i], svc->sched, 2) ||
		    strlen(svc->sched) != 2)
			usage_error("flag \"%s\" needs sched %.2s, not %s",
				    ch->flag_words[i], ch->flag_words[i],
				    svc->sched);
	persistent = svc->flags & NFVS_SVC_F_PERSISTENT;
	if (!svc->fwmark && !svc->vip.port && !persistent)
		usage_error("service \"%s\": port 0 needs persistent",
			    svc->words);
	if (svc->netmask != 0xffffffff && !persistent)
		usage_error("netmask needs persistent");
}

static int service_add(int argc, char **argv)
{
	struct svc_change ch;
	struct nfvs_svc svc;
	struct nl_req req;

	svc_parse_ident(&argc, &argv, &svc);
	parse_change(argc, argv, &svc, &ch);
	snprintf(svc.sched, sizeof(svc.sched), "wlc");
	svc.netmask = 0xffffffff;
	svc.helper[0] = '\0';	/* the kernel's default */
	apply_change(&svc, &ch);
	nl_req_start(&req, NFVS_CMD_NEW_SERVICE, false);
	svc_put(&req, &svc, true);
	return nl_run(&req, NULL, NULL);
}

static int service_set(int argc, char **argv)
{
	struct nfvs_svc ident, svc;
	struct svc_change ch;
	struct nl_req req;
	int ret;

	svc_parse_ident(&argc, &argv, &ident);
	parse_change(argc, argv, &ident, &ch);
	if (argc == 0)
		usage_error("nothing to change (see: nfvsctl service help)");
	ret = svc_get(&ident, &svc);
	if (ret)
		return ret;
	/* The identity as typed: the kernel points at these words. */
	svc.words = ident.words;
	memcpy(svc.attr_words, ident.attr_words, sizeof(svc.attr_words));
	svc.helper[0] = '\0';	/* unchanged unless named */
	apply_change(&svc, &ch);
	nl_req_start(&req, NFVS_CMD_SET_SERVICE, false);
	svc_put(&req, &svc, true);
	return nl_run(&req, NULL, NULL);
}

static int service_simple(uint8_t cmd, int argc, char **argv)
{
	struct nfvs_svc svc;
	struct nl_req req;

	svc_parse_ident(&argc, &argv, &svc);
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	nl_req_start(&req, cmd, false);
	svc_put(&req, &svc, false);
	return nl_run(&req, NULL, NULL);
}

static int service_flush(void)
{
	struct nl_req req;

	nl_req_start(&req, NFVS_CMD_FLUSH, false);
	return nl_run(&req, NULL, NULL);
}

static void persistence_str(const struct nfvs_svc *svc, char *buf,
			    size_t len)
{
	struct in_addr mask = { .s_addr = svc->netmask };

	if (!(svc->flags & NFVS_SVC_F_PERSISTENT))
		snprintf(buf, len, "-");
	else if (svc->netmask == 0xffffffff)
		snprintf(buf, len, "%us", svc->timeout);
	else
		snprintf(buf, len, "%us %s", svc->timeout, inet_ntoa(mask));
}

static void flags_str(const struct nfvs_svc *svc, char *buf, size_t len)
{
	static const uint32_t bits[] = {
		NFVS_SVC_F_SCHED1, NFVS_SVC_F_SCHED2, NFVS_SVC_F_SCHED3,
	};
	size_t used = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < 3; i++)
		if (svc->flags & bits[i])
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "",
					 sched_flag_name(svc->sched, bits[i]));
	if (svc->flags & NFVS_SVC_F_ONEPACKET && used < len)
		used += snprintf(buf + used, len - used, "%sone-packet",
				 used ? "," : "");
	if (!used)
		snprintf(buf, len, "-");
}

static void svc_json(const struct nfvs_svc *svc, const struct nfvs_dest *d,
		     int n)
{
	static const uint32_t bits[] = {
		NFVS_SVC_F_SCHED1, NFVS_SVC_F_SCHED2, NFVS_SVC_F_SCHED3,
	};
	struct in_addr mask = { .s_addr = svc->netmask };
	int i;

	json_object_begin(NULL);
	svc_json_ident(svc);
	json_string("scheduler", svc->sched);
	json_bool("persistent", svc->flags & NFVS_SVC_F_PERSISTENT);
	json_uint("timeout", svc->timeout);
	json_string("netmask", inet_ntoa(mask));
	json_bool("one_packet", svc->flags & NFVS_SVC_F_ONEPACKET);
	json_array_begin("sched_flags");
	for (i = 0; i < 3; i++)
		if (svc->flags & bits[i])
			json_string(NULL, sched_flag_name(svc->sched, bits[i]));
	json_array_end();
	json_string("helper", svc->helper);
	json_uint("flags", svc->flags);
	json_array_begin("destinations");
	for (i = 0; i < n; i++)
		dest_json(&d[i]);
	json_array_end();
	json_object_end();
}

static void svc_row(const struct nfvs_svc *svc)
{
	char name[SVC_WORDS_MAX], persist[48], flags[64];

	persistence_str(svc, persist, sizeof(persist));
	flags_str(svc, flags, sizeof(flags));
	printf("%-30s %-6s %-20s %-20s %s\n",
	       svc_str(svc, name, sizeof(name)), svc->sched, persist, flags,
	       svc->helper);
}

static int service_show(int argc, char **argv)
{
	struct nfvs_svc *svcs = NULL, one;
	struct nfvs_dest *dests;
	int n = 0, nd, i, ret;

	if (argc > 0) {
		svc_parse_ident(&argc, &argv, &one);
		if (argc > 0)
			usage_error("unexpected \"%s\"", argv[0]);
		ret = svc_get(&one, &one);
		if (ret)
			return ret;
		svcs = &one;
		n = 1;
	} else {
		ret = svc_list(&svcs, &n);
		if (ret)
			return ret;
	}
	if (opts.json) {
		json_object_begin(NULL);
		json_array_begin("services");
	} else {
		printf("%-30s %-6s %-20s %-20s %s\n", "SERVICE", "SCHED",
		       "PERSISTENT", "FLAGS", "HELPER");
		dest_table_header();
	}
	for (i = 0; i < n; i++) {
		dests = NULL;
		ret = dest_list(&svcs[i], &dests, &nd);
		if (ret)
			break;
		if (opts.json) {
			svc_json(&svcs[i], dests, nd);
		} else {
			svc_row(&svcs[i]);
			for (int j = 0; j < nd; j++)
				dest_table_row(&dests[j]);
		}
		free(dests);
	}
	if (opts.json) {
		json_array_end();
		json_object_end();
		json_done();
	}
	if (svcs != &one)
		free(svcs);
	return ret;
}

int do_service(int argc, char **argv)
{
	static const char *const verbs[] = {
		"add", "set", "del", "show", "flush", "help", "list", NULL
	};
	const char *verb = argc > 0 ? argv[0] : "show";
	int v;

	v = match_word_or_die(verb, verbs, "service command");
	if (argc > 0)
		argc--, argv++;
	if (v < 5 && argc > 0 && is_help(argv[0]))
		v = 5;
	switch (v) {
	case 0:
		cmd_context = "service add";
		return service_add(argc, argv);
	case 1:
		cmd_context = "service set";
		return service_set(argc, argv);
	case 2:
		cmd_context = "service del";
		return service_simple(NFVS_CMD_DEL_SERVICE, argc, argv);
	case 3:
	case 6:
		cmd_context = "service show";
		return service_show(argc, argv);
	case 4:
		cmd_context = "service flush";
		if (argc > 0)
			usage_error("unexpected \"%s\"", argv[0]);
		return service_flush();
	default:
		service_help(stdout);
		return 0;
	}
}
