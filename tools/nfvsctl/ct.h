/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conntrack table as nfvsctl joins it with nfvs's connections: one
 * dump through libnetfilter_conntrack, looked up by zone and original
 * tuple.
 */
#ifndef NFVSCTL_CT_H
#define NFVSCTL_CT_H

#include "nfvsctl.h"

struct ct_tuple {
	struct nfvs_endpoint src, dst;
};

struct ct_entry {
	uint16_t zone;
	uint8_t protocol;
	struct ct_tuple orig, reply;
	uint32_t status;
	uint32_t mark;
	uint32_t timeout;		/* seconds */
	int tcp_state;			/* -1 unless TCP */
	bool joined;			/* an nfvs connection has it */
};

struct ct_table {
	struct ct_entry *entries;
	int n;
	bool available;
};

int ct_table_read(struct ct_table *t);
struct ct_entry *ct_lookup(struct ct_table *t, uint16_t zone,
			   uint8_t protocol, const struct ct_tuple *orig);
const char *ct_state_name(const struct ct_entry *ct);
void ct_table_free(struct ct_table *t);

#endif
