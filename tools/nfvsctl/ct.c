// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the whole conntrack table of the namespace once and sorts it by
 * (zone, protocol, original tuple), so that each nfvs connection finds its
 * entry by binary search, and entries no connection claims can be listed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"

static void ct_endpoint(const struct nf_conntrack *ct, uint8_t l3,
			int addr_v4, int addr_v6, int port,
			struct nfvs_endpoint *ep)
{
	uint32_t v4;

	memset(ep, 0, sizeof(*ep));
	ep->af = l3;
	if (l3 == AF_INET) {
		v4 = nfct_get_attr_u32(ct, addr_v4);
		memcpy(&ep->addr, &v4, sizeof(v4));
	} else {
		memcpy(&ep->addr, nfct_get_attr(ct, addr_v6), 16);
	}
	if (nfct_attr_is_set(ct, port) > 0)
		ep->port = ntohs(nfct_get_attr_u16(ct, port));
}

static int ct_dump_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		      void *data)
{
	struct ct_table *t = data;
	struct ct_entry *e, *grown;
	uint8_t l3 = nfct_get_attr_u8(ct, ATTR_L3PROTO);

	(void)type;
	if (l3 != AF_INET && l3 != AF_INET6)
		return NFCT_CB_CONTINUE;
	grown = realloc(t->entries, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return NFCT_CB_FAILURE;
	t->entries = grown;
	e = &t->entries[t->n++];
	memset(e, 0, sizeof(*e));
	e->protocol = nfct_get_attr_u8(ct, ATTR_L4PROTO);
	ct_endpoint(ct, l3, ATTR_IPV4_SRC, ATTR_IPV6_SRC, ATTR_PORT_SRC,
		    &e->orig.src);
	ct_endpoint(ct, l3, ATTR_IPV4_DST, ATTR_IPV6_DST, ATTR_PORT_DST,
		    &e->orig.dst);
	ct_endpoint(ct, l3, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC,
		    ATTR_REPL_PORT_SRC, &e->reply.src);
	ct_endpoint(ct, l3, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST,
		    ATTR_REPL_PORT_DST, &e->reply.dst);
	if (nfct_attr_is_set(ct, ATTR_ZONE) > 0)
		e->zone = nfct_get_attr_u16(ct, ATTR_ZONE);
	else if (nfct_attr_is_set(ct, ATTR_ORIG_ZONE) > 0)
		e->zone = nfct_get_attr_u16(ct, ATTR_ORIG_ZONE);
	e->status = nfct_get_attr_u32(ct, ATTR_STATUS);
	e->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	e->timeout = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
	e->tcp_state = -1;
	if (e->protocol == IPPROTO_TCP && nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0)
		e->tcp_state = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	return NFCT_CB_CONTINUE;
}

static int endpoint_cmp(const struct nfvs_endpoint *a,
			const struct nfvs_endpoint *b)
{
	int c;

	if (a->af != b->af)
		return a->af - b->af;
	c = memcmp(&a->addr, &b->addr, 16);
	if (c)
		return c;
	return a->port - b->port;
}

static int ct_key_cmp(uint16_t zone, uint8_t protocol,
		      const struct ct_tuple *orig, const struct ct_entry *e)
{
	int c;

	if (zone != e->zone)
		return zone - e->zone;
	if (protocol != e->protocol)
		return protocol - e->protocol;
	c = endpoint_cmp(&orig->src, &e->orig.src);
	return c ? c : endpoint_cmp(&orig->dst, &e->orig.dst);
}

static int ct_entry_cmp(const void *pa, const void *pb)
{
	const struct ct_entry *a = pa;

	return ct_key_cmp(a->zone, a->protocol, &a->orig, pb);
}

/* 0, or -1 with the reason printed: the table is then empty. */
int ct_table_read(struct ct_table *t)
{
	uint32_t family = AF_UNSPEC;
	struct nfct_handle *h;
	int ret;

	memset(t, 0, sizeof(*t));
	h = nfct_open(CONNTRACK, 0);
	if (!h) {
		fprintf(stderr, "nfvsctl: %s: conntrack: %s\n", cmd_context,
			strerror(errno));
		return -1;
	}
	nfct_callback_register(h, NFCT_T_ALL, ct_dump_cb, t);
	ret = nfct_query(h, NFCT_Q_DUMP, &family);
	if (ret < 0)
		fprintf(stderr, "nfvsctl: %s: conntrack dump: %s\n",
			cmd_context, strerror(errno));
	nfct_close(h);
	if (ret < 0)
		return -1;
	t->available = true;
	if (t->n)
		qsort(t->entries, t->n, sizeof(*t->entries), ct_entry_cmp);
	return 0;
}

struct ct_entry *ct_lookup(struct ct_table *t, uint16_t zone,
			   uint8_t protocol, const struct ct_tuple *orig)
{
	int lo = 0, hi = t->n - 1, mid, c;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = ct_key_cmp(zone, protocol, orig, &t->entries[mid]);
		if (!c)
			return &t->entries[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *ct_state_name(const struct ct_entry *ct)
{
	static const char *const tcp[] = {
		[TCP_CONNTRACK_NONE] = "NONE",
		[TCP_CONNTRACK_SYN_SENT] = "SYN_SENT",
		[TCP_CONNTRACK_SYN_RECV] = "SYN_RECV",
		[TCP_CONNTRACK_ESTABLISHED] = "ESTABLISHED",
		[TCP_CONNTRACK_FIN_WAIT] = "FIN_WAIT",
		[TCP_CONNTRACK_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_CONNTRACK_LAST_ACK] = "LAST_ACK",
		[TCP_CONNTRACK_TIME_WAIT] = "TIME_WAIT",
		[TCP_CONNTRACK_CLOSE] = "CLOSE",
		[TCP_CONNTRACK_SYN_SENT2] = "SYN_SENT2",
	};

	if (ct->tcp_state >= 0)
		return ct->tcp_state < TCP_CONNTRACK_MAX ? tcp[ct->tcp_state] :
							   "?";
	return ct->status & IPS_SEEN_REPLY ? "REPLIED" : "UNREPLIED";
}

void ct_table_free(struct ct_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->n = 0;
}
