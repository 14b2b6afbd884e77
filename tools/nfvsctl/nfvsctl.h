/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfvsctl: shared declarations. Each object (service, dest, conn, stats,
 * sysctl, monitor) has one entry point taking the words after its name.
 */
#ifndef NFVSCTL_H
#define NFVSCTL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* __noreturn and __printf(a, b), as the kernel spells them: the Makefile
 * defines them.
 */

/* Exit statuses: usage errors, and requests the kernel refused. */
#define EXIT_USAGE	1
#define EXIT_KERNEL	2

struct nfvsctl_opts {
	bool json;
	bool numeric;
};

extern struct nfvsctl_opts opts;

/* The words of "OBJECT VERB", for messages ("service add"). */
extern const char *cmd_context;

int do_service(int argc, char **argv);
int do_dest(int argc, char **argv);
int do_conn(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_rate(int argc, char **argv);
int do_sysctl(int argc, char **argv);
int do_monitor(int argc, char **argv);

/* cli.c: words, numbers, addresses. */
int match_word(const char *word, const char *const *names);
int match_word_or_die(const char *word, const char *const *names,
		      const char *what);
bool is_help(const char *word);
char *join_words(const char *a, const char *b);
void __noreturn __printf(1, 2) usage_error(const char *fmt, ...);
const char *next_arg(int *argc, char ***argv, const char *what);
uint32_t parse_u32(const char *word, const char *what, uint32_t min,
		   uint32_t max);

/* An address with a port, IPv4 or IPv6 ([addr]:port). */
struct nfvs_endpoint {
	uint16_t af;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t raw[16];
	} addr;
	uint16_t port;		/* host order */
};

#define PORT_OPTIONAL	0x1	/* ADDR alone is fine: port 0 */
#define PORT_ZERO_OK	0x2	/* ADDR:0 is fine */

void parse_endpoint(const char *word, const char *what, unsigned int flags,
		    struct nfvs_endpoint *ep);
const char *endpoint_str(const struct nfvs_endpoint *ep, int protocol,
			 char *buf, size_t len);
const char *addr_str(uint16_t af, const void *addr, char *buf, size_t len);
const char *proto_name(int protocol);
const char *fwd_name(uint32_t fwd);
int fwd_parse(const char *word);

#define ENDPOINT_STRLEN	(INET6_ADDRSTRLEN + 80)

#endif
