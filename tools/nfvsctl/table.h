/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The service table as nfvsctl reads it: services and destinations
 * decoded from the kernel's attributes, fetched, sorted and named.
 */
#ifndef NFVSCTL_TABLE_H
#define NFVSCTL_TABLE_H

#include <linux/nfvs.h>

#include "nfvsctl.h"
#include "nl.h"

struct nfvs_counters {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
};

struct nfvs_svc {
	uint16_t af;
	uint16_t protocol;		/* 0 for a fwmark service */
	uint32_t fwmark;
	struct nfvs_endpoint vip;
	char sched[NFVS_SCHED_NAME_MAX];
	uint32_t flags;
	uint32_t timeout;
	uint32_t netmask;		/* network order */
	char helper[NFVS_HELPER_NAME_MAX];
	struct nfvs_counters stats;
	const char *words;		/* "tcp ADDR:PORT", as typed */
	/* The words behind each attribute, for the kernel's refusals. */
	const char *attr_words[NFVS_SVC_ATTR_MAX + 1];
};

struct nfvs_dest {
	struct nfvs_endpoint rip;
	uint32_t fwd;
	int32_t weight;
	uint32_t u_thresh, l_thresh;
	uint32_t active, inactive, persist;
	struct nfvs_counters stats;
};

#define SVC_WORDS_MAX	(ENDPOINT_STRLEN + 8)

void svc_parse_ident(int *argc, char ***argv, struct nfvs_svc *svc);
struct nlattr *svc_put(struct nl_req *req, const struct nfvs_svc *svc,
		       bool full);
int svc_get(const struct nfvs_svc *ident, struct nfvs_svc *svc);
int svc_list(struct nfvs_svc **svcs, int *n);
int dest_list(const struct nfvs_svc *svc, struct nfvs_dest **dests, int *n);
const char *svc_str(const struct nfvs_svc *svc, char *buf, size_t len);
void svc_json_ident(const struct nfvs_svc *svc);
void dest_json_ident(const struct nfvs_dest *dest);
void counters_json(const char *key, const struct nfvs_counters *c);
const char *sched_flag_name(const char *sched, uint32_t flag);
void dest_json(const struct nfvs_dest *d);
void dest_table_header(void);
void dest_table_row(const struct nfvs_dest *d);

#endif
