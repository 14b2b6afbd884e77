// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line words: keywords by unambiguous prefix, numbers in range,
 * ADDR[:PORT] endpoints; and how addresses and ports are printed (names
 * unless -n).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nfvs.h>

#include "nfvsctl.h"

/*
 * The index of word in names: an exact match, else the only name it is a
 * prefix of; -1 when none, -2 when several.
 */
int match_word(const char *word, const char *const *names)
{
	size_t len = strlen(word);
	int found = -1;
	int i;

	if (!len)
		return -1;
	for (i = 0; names[i]; i++)
		if (!strcmp(word, names[i]))
			return i;
	for (i = 0; names[i]; i++) {
		if (strncmp(word, names[i], len))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}

/* The names starting with prefix (all of them for ""). */
static void list_words(FILE *f, const char *const *names, const char *prefix)
{
	size_t len = strlen(prefix);
	bool first = true;
	int i;

	for (i = 0; names[i]; i++) {
		if (strncmp(names[i], prefix, len))
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", names[i]);
		first = false;
	}
}

static const char *words_list(const char *const *names, const char *prefix)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	if (!f)
		return "";
	list_words(f, names, prefix);
	fclose(f);
	return buf;
}

int match_word_or_die(const char *word, const char *const *names,
		      const char *what)
{
	int i = match_word(word, names);

	if (i >= 0)
		return i;
	usage_error("%s %s \"%s\" (%s: %s)", i == -2 ? "ambiguous" : "unknown",
		    what, word, i == -2 ? "could be" : "one of",
		    words_list(names, i == -2 ? word : ""));
}

bool is_help(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help");
}

/* "a b", for the words behind an attribute. */
char *join_words(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 2);

	if (!s) {
		fprintf(stderr, "nfvsctl: out of memory\n");
		exit(EXIT_KERNEL);
	}
	sprintf(s, "%s %s", a, b);
	return s;
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfvsctl: ");
	if (cmd_context)
		fprintf(stderr, "%s: ", cmd_context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(EXIT_USAGE);
}

/* The next word, which must be there: "what" names it if it is not. */
const char *next_arg(int *argc, char ***argv, const char *what)
{
	const char *word;

	if (*argc < 1)
		usage_error("missing %s", what);
	word = (*argv)[0];
	(*argc)--;
	(*argv)++;
	return word;
}

uint32_t parse_u32(const char *word, const char *what, uint32_t min,
		   uint32_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (word[0] < '0' || word[0] > '9')
		usage_error("%s \"%s\": not a number", what, word);
	v = strtoull(word, &end, 0);
	if (*end)
		usage_error("%s \"%s\": not a number", what, word);
	if (errno || v < min || v > max)
		usage_error("%s \"%s\": out of range %u-%u", what, word, min,
			    max);
	return v;
}

static uint16_t parse_port(const char *text, const char *word,
			   const char *what, unsigned int flags)
{
	const struct servent *se;
	unsigned long v;
	char *end;

	if (!*text)
		usage_error("%s \"%s\": missing port", what, word);
	if (text[0] < '0' || text[0] > '9') {
		se = getservbyname(text, NULL);
		if (!se)
			usage_error("%s \"%s\": unknown port \"%s\"", what,
				    word, text);
		return ntohs(se->s_port);
	}
	errno = 0;
	v = strtoul(text, &end, 10);
	if (*end || errno)
		usage_error("%s \"%s\": bad port \"%s\"", what, word, text);
	if (v > 65535 || (!v && !(flags & PORT_ZERO_OK)))
		usage_error("%s \"%s\": port %s out of range 1-65535", what,
			    word, text);
	return v;
}

/* ADDR:PORT, [ADDR6]:PORT, or (PORT_OPTIONAL) ADDR alone with port 0. */
void parse_endpoint(const char *word, const char *what, unsigned int flags,
		    struct nfvs_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	const char *colon;
	size_t len;

	memset(ep, 0, sizeof(*ep));
	if (word[0] == '[') {
		colon = strchr(word, ']');
		if (!colon)
			usage_error("%s \"%s\": missing ']'", what, word);
		len = colon - word - 1;
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1])
			usage_error("%s \"%s\": expected ':' after ']'", what,
				    word);
		word++;
		ep->af = AF_INET6;
	} else {
		colon = strchr(word, ':');
		len = colon ? (size_t)(colon - word) : strlen(word);
		if (colon)
			port = colon + 1;
		ep->af = AF_INET;
	}
	if (len >= sizeof(host))
		usage_error("%s \"%s\": bad address", what, word);
	memcpy(host, word, len);
	host[len] = '\0';
	if (inet_pton(ep->af, host, &ep->addr) != 1)
		usage_error("%s \"%s\": bad %s address \"%s\"", what, word,
			    ep->af == AF_INET ? "IPv4" : "IPv6", host);
	if (port)
		ep->port = parse_port(port, word, what, flags);
	else if (!(flags & PORT_OPTIONAL))
		usage_error("%s \"%s\": expected ADDR:PORT", what, word);
}

const char *addr_str(uint16_t af, const void *addr, char *buf, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t sl;

	if (opts.numeric || opts.json) {
		if (!inet_ntop(af, addr, buf, len))
			snprintf(buf, len, "?");
		return buf;
	}
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sl = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sl = sizeof(*sin6);
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, buf, len, NULL, 0,
			NI_NAMEREQD))
		inet_ntop(af, addr, buf, len);
	return buf;
}

/* ADDR:PORT as the tables show it: names unless -n, [ADDR6]:PORT. */
const char *endpoint_str(const struct nfvs_endpoint *ep, int protocol,
			 char *buf, size_t len)
{
	char host[NI_MAXHOST];
	const struct servent *se = NULL;

	addr_str(ep->af, &ep->addr, host, sizeof(host));
	if (!opts.numeric && !opts.json && ep->port)
		se = getservbyport(htons(ep->port),
				   protocol == IPPROTO_UDP ? "udp" : "tcp");
	if (se)
		snprintf(buf, len, ep->af == AF_INET6 ? "[%s]:%s" : "%s:%s",
			 host, se->s_name);
	else
		snprintf(buf, len, ep->af == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 host, ep->port);
	return buf;
}

const char *proto_name(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	}
	return "?";
}

static const char *const fwd_names[] = { "nat", "local", "tun", "dr", NULL };

const char *fwd_name(uint32_t fwd)
{
	fwd &= NFVS_FWD_MASK;
	return fwd <= NFVS_FWD_DROUTE ? fwd_names[fwd] : "?";
}

/* nat, dr or tun, as NFVS_FWD_*. */
int fwd_parse(const char *word)
{
	static const char *const names[] = { "nat", "dr", "tun", NULL };
	static const int fwd[] = { NFVS_FWD_NAT, NFVS_FWD_DROUTE,
				   NFVS_FWD_TUNNEL };

	return fwd[match_word_or_die(word, names, "forwarding method")];
}
