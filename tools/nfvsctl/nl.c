// SPDX-License-Identifier: GPL-2.0
/*
 * The nfvs generic netlink family: resolving it, sending one request and
 * reading its replies up to the ack or the end of the dump. A refusal is
 * printed with the kernel's extended ack message, the errno's name and text,
 * and the command-line words behind the attribute the kernel pointed at.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/nfvs.h>

#include "nfvsctl.h"
#include "nl.h"

static struct mnl_socket *nl_sock;
static unsigned int nl_portid;
static uint16_t nl_family;
static int nl_mcast_groups;
static unsigned int nl_seq;

/* What the kernel said about the last refused request. */
struct nl_refusal {
	const char *msg;
	uint32_t offs;
	bool has_offs;
};

static int nl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type < NL_TB_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     int max)
{
	const struct nlattr *all[NL_TB_MAX] = { NULL };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (!nest)
		return;
	mnl_attr_parse_nested(nest, nl_attr_cb, all);
	memcpy(tb, all, sizeof(*tb) * (max + 1 < NL_TB_MAX ? max + 1 : NL_TB_MAX));
}

uint8_t attr_u8(const struct nlattr *a, uint8_t def)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint8_t))
		return def;
	return mnl_attr_get_u8(a);
}

uint16_t attr_u16(const struct nlattr *a, uint16_t def)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint16_t))
		return def;
	return mnl_attr_get_u16(a);
}

uint16_t attr_be16(const struct nlattr *a, uint16_t def)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint16_t))
		return def;
	return ntohs(mnl_attr_get_u16(a));
}

uint32_t attr_u32(const struct nlattr *a, uint32_t def)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return def;
	return mnl_attr_get_u32(a);
}

uint64_t attr_u64(const struct nlattr *a, uint64_t def)
{
	uint64_t v;

	if (!a)
		return def;
	if (mnl_attr_get_payload_len(a) >= sizeof(uint64_t)) {
		memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
		return v;
	}
	return attr_u32(a, def);
}

const char *attr_str(const struct nlattr *a, const char *def)
{
	const char *s;
	uint16_t len;

	if (!a)
		return def;
	s = mnl_attr_get_payload(a);
	len = mnl_attr_get_payload_len(a);
	if (!len || s[len - 1] != '\0')
		return def;
	return s;
}

bool attr_addr(const struct nlattr *a, uint16_t af, void *addr)
{
	size_t need = af == AF_INET ? 4 : 16;

	memset(addr, 0, 16);
	if (!a || mnl_attr_get_payload_len(a) < need)
		return false;
	memcpy(addr, mnl_attr_get_payload(a), need);
	return true;
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	const struct nlattr *grp;

	(void)data;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attr_cb, tb);
	if (tb[CTRL_ATTR_FAMILY_ID])
		nl_family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
			nl_mcast_groups++;
	return MNL_CB_OK;
}

static int nl_open(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int seq;
	int one = 1;
	ssize_t n;
	int ret;

	if (nl_sock)
		return 0;
	nl_sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl_sock || mnl_socket_bind(nl_sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "nfvsctl: netlink socket: %s\n", strerror(errno));
		return -1;
	}
	nl_portid = mnl_socket_get_portid(nl_sock);
	/* Old kernels lack these: errors then come without messages. */
	mnl_socket_setsockopt(nl_sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl_sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nl_seq = time(NULL);
	seq = nl_seq;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NFVS_GENL_NAME);
	if (mnl_socket_sendto(nl_sock, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "nfvsctl: netlink send: %s\n", strerror(errno));
		return -1;
	}
	do {
		n = mnl_socket_recvfrom(nl_sock, buf, sizeof(buf));
		if (n < 0)
			break;
		ret = mnl_cb_run(buf, n, seq, nl_portid, nl_family_cb, NULL);
	} while (ret > 0);
	if (n < 0 || ret < 0 || !nl_family) {
		if (errno == ENOENT)
			fprintf(stderr,
				"nfvsctl: the nfvs module is not loaded (no generic netlink family \"%s\")\n",
				NFVS_GENL_NAME);
		else
			fprintf(stderr, "nfvsctl: generic netlink family %s: %s\n",
				NFVS_GENL_NAME, strerror(errno));
		return -1;
	}
	return 0;
}

int nl_family_mcast_groups(void)
{
	if (nl_open())
		return -1;
	return nl_mcast_groups;
}

struct nlmsghdr *nl_req_start(struct nl_req *req, uint8_t cmd, bool dump)
{
	struct genlmsghdr *genl;

	if (nl_open())
		exit(EXIT_KERNEL);
	memset(req->buf, 0, sizeof(struct nlmsghdr) + sizeof(*genl));
	req->nargs = 0;
	req->nlh = mnl_nlmsg_put_header(req->buf);
	req->nlh->nlmsg_type = nl_family;
	/* A dump ends with NLMSG_DONE; an ack after it would be stray. */
	req->nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	genl = mnl_nlmsg_put_extra_header(req->nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = NFVS_GENL_VERSION;
	return req->nlh;
}

/* Records that the attribute (already complete) came from these words. */
void nl_req_arg(struct nl_req *req, const struct nlattr *attr,
		const char *words)
{
	if (!words || req->nargs == NL_REQ_ARGS)
		return;
	req->args[req->nargs].off = (const char *)attr - (const char *)req->nlh;
	req->args[req->nargs].len = attr->nla_len;
	req->args[req->nargs].words = words;
	req->nargs++;
}

/* The words of the smallest recorded attribute holding offset off. */
static const char *nl_req_words_at(const struct nl_req *req, uint32_t off)
{
	const char *best = NULL;
	uint32_t best_len = UINT32_MAX;
	int i;

	for (i = 0; i < req->nargs; i++) {
		if (off >= req->args[i].off &&
		    off < req->args[i].off + req->args[i].len &&
		    req->args[i].len < best_len) {
			best = req->args[i].words;
			best_len = req->args[i].len;
		}
	}
	return best;
}

static int nl_extack_cb(const struct nlattr *attr, void *data)
{
	struct nl_refusal *r = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		r->msg = attr_str(attr, NULL);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_get_payload_len(attr) >= sizeof(uint32_t)) {
			r->offs = mnl_attr_get_u32(attr);
			r->has_offs = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static void nl_parse_extack(const struct nlmsghdr *nlh, size_t tlv_off,
			    struct nl_refusal *r)
{
	const char *payload = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || tlv_off >= len)
		return;
	mnl_attr_parse_payload(payload + tlv_off, len - tlv_off, nl_extack_cb,
			       r);
}

struct nl_run_ctx {
	nl_msg_cb cb;
	void *data;
	struct nl_refusal refusal;
	int cb_ret;
};

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_run_ctx *ctx = data;
	size_t tlv_off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_parse_extack(nlh, tlv_off, &ctx->refusal);
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_run_ctx *ctx = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	nl_parse_extack(nlh, sizeof(err), &ctx->refusal);
	errno = -err;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_MAX] = { NULL };
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct nl_run_ctx *ctx = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!ctx->cb)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*genl), nl_attr_cb, tb);
	ctx->cb_ret = ctx->cb(tb, ctx->data);
	return ctx->cb_ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void nl_report(const struct nl_req *req, int err,
		      const struct nl_refusal *r)
{
	const char *words = NULL;
	const char *name = strerrorname_np(err);

	if (r->has_offs)
		words = nl_req_words_at(req, r->offs);
	fprintf(stderr, "nfvsctl: %s: kernel refused", cmd_context);
	if (words)
		fprintf(stderr, " \"%s\"", words);
	if (r->msg)
		fprintf(stderr, ": %s", r->msg);
	fprintf(stderr, " (%s: %s)\n", name ? name : "errno", strerror(err));
}

/*
 * Sends the request and hands every reply message to cb. Returns 0, or
 * EXIT_KERNEL once the refusal is printed; a negative return of cb stops
 * the run with that callback's own exit status (-ret).
 */
int nl_run(struct nl_req *req, nl_msg_cb cb, void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = nl_error_cb,
		[NLMSG_DONE] = nl_done_cb,
	};
	static char buf[1 << 16];
	struct nl_run_ctx ctx = { .cb = cb, .data = data };
	unsigned int seq;
	ssize_t n;
	int ret;

	seq = ++nl_seq;
	req->nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl_sock, req->nlh, req->nlh->nlmsg_len) < 0) {
		fprintf(stderr, "nfvsctl: %s: netlink send: %s\n", cmd_context,
			strerror(errno));
		return EXIT_KERNEL;
	}
	do {
		n = mnl_socket_recvfrom(nl_sock, buf, sizeof(buf));
		if (n < 0) {
			fprintf(stderr, "nfvsctl: %s: netlink receive: %s\n",
				cmd_context, strerror(errno));
			return EXIT_KERNEL;
		}
		ret = mnl_cb_run2(buf, n, seq, nl_portid, nl_data_cb, &ctx,
				  ctl, NLMSG_MIN_TYPE);
	} while (ret > 0);
	if (ret < 0) {
		if (ctx.cb_ret < 0)
			return -ctx.cb_ret;
		nl_report(req, errno, &ctx.refusal);
		return EXIT_KERNEL;
	}
	return 0;
}
