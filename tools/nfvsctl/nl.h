/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing of nfvsctl: the nfvs family's requests, with the
 * kernel's extended ack messages mapped back to the words that made the
 * refused attribute.
 */
#ifndef NFVSCTL_NL_H
#define NFVSCTL_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#define NL_REQ_ARGS	16

struct nl_req {
	char buf[8192];
	struct nlmsghdr *nlh;
	struct {
		uint32_t off, len;
		const char *words;
	} args[NL_REQ_ARGS];
	int nargs;
};

/* Callback of each reply message: its top-level attributes, by type. */
typedef int (*nl_msg_cb)(const struct nlattr **tb, void *data);

#define NL_TB_MAX	16

struct nlmsghdr *nl_req_start(struct nl_req *req, uint8_t cmd, bool dump);
void nl_req_arg(struct nl_req *req, const struct nlattr *attr,
		const char *words);
int nl_run(struct nl_req *req, nl_msg_cb cb, void *data);
int nl_family_mcast_groups(void);

void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     int max);
uint8_t attr_u8(const struct nlattr *a, uint8_t def);
uint16_t attr_u16(const struct nlattr *a, uint16_t def);
uint16_t attr_be16(const struct nlattr *a, uint16_t def);
uint32_t attr_u32(const struct nlattr *a, uint32_t def);
uint64_t attr_u64(const struct nlattr *a, uint64_t def);
const char *attr_str(const struct nlattr *a, const char *def);
bool attr_addr(const struct nlattr *a, uint16_t af, void *addr);

#endif
