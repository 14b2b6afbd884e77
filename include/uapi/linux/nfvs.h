/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nfvs: an IPVS-style layer-4 load balancer whose connection state lives in
 * netfilter conntrack. This header is the contract between the nfvs module
 * and userspace (nfvsctl, tests).
 *
 * Packet path, IPv4 (priorities are those of enum nf_ip_hook_priorities):
 *
 *   NF_INET_LOCAL_IN     NFVS_PRI_IN         look up or schedule, transmit
 *   NF_INET_FORWARD      NFVS_PRI_FWD_ICMP   ICMP errors about nfvs flows
 *   NF_INET_FORWARD      NFVS_PRI_OUT        un-NAT replies of real servers
 *   NF_INET_POST_ROUTING NFVS_PRI_POST       packets nfvs transmitted leave
 *                                            before SNAT/MASQUERADE (100)
 *
 * Control plane: generic netlink family NFVS_GENL_NAME. Its commands and
 * attributes carry the numbers of the in-tree IPVS protocol
 * (include/uapi/linux/ip_vs.h), so that with module parameter ipvs_compat=1
 * (the default) the same operations are also offered as family "IPVS",
 * version 1, to unmodified ipvsadm and keepalived. nfvs-only attributes are
 * appended after the last IPVS number of their set.
 *
 * Every command that changes state needs CAP_NET_ADMIN over the network
 * namespace's user namespace; bad input is refused with an errno and an
 * extended ack message, and changes nothing.
 *
 * Sysctls live under /proc/sys/net/nfvs/ (one set per network namespace)
 * and, with ipvs_compat=1, the same values under /proc/sys/net/ipv4/vs/.
 */
#ifndef _UAPI_LINUX_NFVS_H
#define _UAPI_LINUX_NFVS_H

#include <linux/types.h>

#define NFVS_GENL_NAME		"nfvs"
#define NFVS_GENL_VERSION	0x1
#define NFVS_IPVS_GENL_NAME	"IPVS"

/* The IPVS protocol version nfvs speaks, as GET_INFO reports it: 1.2.1. */
#define NFVS_IPVS_VERSION_CODE	0x010201

#define NFVS_SYSCTL_DIR		"net/nfvs"
#define NFVS_IPVS_SYSCTL_DIR	"net/ipv4/vs"

#define NFVS_PRI_IN		100	/* NF_IP_PRI_NAT_SRC */
#define NFVS_PRI_FWD_ICMP	99
#define NFVS_PRI_OUT		100
#define NFVS_PRI_POST		99	/* NF_IP_PRI_NAT_SRC - 1 */

#define NFVS_SCHED_NAME_MAX	16	/* including the NUL */
#define NFVS_PE_NAME_MAX	16
#define NFVS_HELPER_NAME_MAX	16	/* including the NUL */

/* Service flags (NFVS_SVC_ATTR_FLAGS). */
#define NFVS_SVC_F_PERSISTENT	0x0001	/* persistent: same client, same server */
#define NFVS_SVC_F_HASHED	0x0002	/* in the service table (read only) */
#define NFVS_SVC_F_ONEPACKET	0x0004	/* schedule every UDP datagram */
#define NFVS_SVC_F_SCHED1	0x0008	/* scheduler-specific flags */
#define NFVS_SVC_F_SCHED2	0x0010
#define NFVS_SVC_F_SCHED3	0x0020

/* The scheduler-specific flags of sh and mh, as ipvsadm -b names them. */
#define NFVS_SVC_F_SCHED_SH_FALLBACK	NFVS_SVC_F_SCHED1 /* sh-fallback */
#define NFVS_SVC_F_SCHED_SH_PORT	NFVS_SVC_F_SCHED2 /* sh-port */
#define NFVS_SVC_F_SCHED_MH_FALLBACK	NFVS_SVC_F_SCHED1 /* mh-fallback */
#define NFVS_SVC_F_SCHED_MH_PORT	NFVS_SVC_F_SCHED2 /* mh-port */

/* NFVS_SVC_ATTR_FLAGS: flags to set, and which of them to change. */
struct nfvs_flags {
	__u32 flags;
	__u32 mask;
};

/* Forwarding methods (NFVS_DEST_ATTR_FWD_METHOD). */
#define NFVS_FWD_MASK		0x0007
#define NFVS_FWD_NAT		0x0000	/* "Masq" */
#define NFVS_FWD_LOCAL		0x0001	/* local node */
#define NFVS_FWD_TUNNEL		0x0002	/* IPIP */
#define NFVS_FWD_DROUTE		0x0003	/* direct routing */

/* Tunnel types (NFVS_DEST_ATTR_TUN_TYPE); nfvs supports IPIP only. */
#define NFVS_TUN_TYPE_IPIP	0

enum nfvs_cmd {
	NFVS_CMD_UNSPEC,
	NFVS_CMD_NEW_SERVICE,	/* service: full */
	NFVS_CMD_SET_SERVICE,	/* service: full */
	NFVS_CMD_DEL_SERVICE,	/* service: identity */
	NFVS_CMD_GET_SERVICE,	/* service: identity; or dump all */
	NFVS_CMD_NEW_DEST,	/* service: identity; dest: full */
	NFVS_CMD_SET_DEST,	/* service: identity; dest: full */
	NFVS_CMD_DEL_DEST,	/* service: identity; dest: identity */
	NFVS_CMD_GET_DEST,	/* dump, service: identity */
	NFVS_CMD_NEW_DAEMON,	/* sync daemon: not supported */
	NFVS_CMD_DEL_DAEMON,	/* sync daemon: not supported */
	NFVS_CMD_GET_DAEMON,	/* dump: always empty */
	NFVS_CMD_SET_CONFIG,	/* timeouts; 0 leaves one unchanged */
	NFVS_CMD_GET_CONFIG,	/* timeouts */
	NFVS_CMD_SET_INFO,	/* reply to GET_INFO only */
	NFVS_CMD_GET_INFO,	/* version, connection table size */
	NFVS_CMD_ZERO,		/* counters of one service, or of all */
	NFVS_CMD_FLUSH,		/* delete every service */
	/* nfvs only, after IPVS's commands: */
	NFVS_CMD_GET_CONN,	/* dump: the connections of the namespace */
	__NFVS_CMD_MAX,
};

#define NFVS_CMD_MAX (__NFVS_CMD_MAX - 1)

enum nfvs_cmd_attr {
	NFVS_CMD_ATTR_UNSPEC,
	NFVS_CMD_ATTR_SERVICE,		/* nested, enum nfvs_svc_attr */
	NFVS_CMD_ATTR_DEST,		/* nested, enum nfvs_dest_attr */
	NFVS_CMD_ATTR_DAEMON,		/* nested, enum nfvs_daemon_attr */
	NFVS_CMD_ATTR_TIMEOUT_TCP,	/* u32, seconds: established TCP */
	NFVS_CMD_ATTR_TIMEOUT_TCP_FIN,	/* u32, seconds: TCP after FIN */
	NFVS_CMD_ATTR_TIMEOUT_UDP,	/* u32, seconds: UDP */
	/* nfvs only, after IPVS's attributes: */
	NFVS_CMD_ATTR_CONN,		/* nested, enum nfvs_conn_attr */
	__NFVS_CMD_ATTR_MAX,
};

#define NFVS_CMD_ATTR_MAX (__NFVS_CMD_ATTR_MAX - 1)

/*
 * A service is identified by AF and either FWMARK, or PROTOCOL (TCP or UDP),
 * ADDR and PORT. A full service adds SCHED_NAME, FLAGS, TIMEOUT, NETMASK.
 */
enum nfvs_svc_attr {
	NFVS_SVC_ATTR_UNSPEC,
	NFVS_SVC_ATTR_AF,		/* u16: AF_INET */
	NFVS_SVC_ATTR_PROTOCOL,		/* u16: IPPROTO_TCP, IPPROTO_UDP */
	NFVS_SVC_ATTR_ADDR,		/* union nf_inet_addr, 16 bytes max */
	NFVS_SVC_ATTR_PORT,		/* be16 */
	NFVS_SVC_ATTR_FWMARK,		/* u32, not 0 */
	NFVS_SVC_ATTR_SCHED_NAME,	/* string: rr, wrr, lc, wlc, sed, nq, fo,
					 * ovf, sh, dh, mh or none
					 */
	NFVS_SVC_ATTR_FLAGS,		/* struct nfvs_flags */
	NFVS_SVC_ATTR_TIMEOUT,		/* u32, seconds of persistence */
	NFVS_SVC_ATTR_NETMASK,		/* be32, persistence granularity */
	NFVS_SVC_ATTR_STATS,		/* nested, enum nfvs_stats_attr, u32 */
	NFVS_SVC_ATTR_PE_NAME,		/* string; no engine is supported */
	NFVS_SVC_ATTR_STATS64,		/* nested, enum nfvs_stats_attr, u64 */
	/* nfvs only, after IPVS's attributes: */
	NFVS_SVC_ATTR_HELPER,		/* string: ftp or none; default: ftp
					 * for TCP port 21, none otherwise
					 */
	__NFVS_SVC_ATTR_MAX,
};

#define NFVS_SVC_ATTR_MAX (__NFVS_SVC_ATTR_MAX - 1)

/*
 * A destination is identified by ADDR and PORT. A full destination adds
 * FWD_METHOD, WEIGHT, U_THRESH and L_THRESH.
 */
enum nfvs_dest_attr {
	NFVS_DEST_ATTR_UNSPEC,
	NFVS_DEST_ATTR_ADDR,		/* union nf_inet_addr, 16 bytes max */
	NFVS_DEST_ATTR_PORT,		/* be16 */
	NFVS_DEST_ATTR_FWD_METHOD,	/* u32: NFVS_FWD_* */
	NFVS_DEST_ATTR_WEIGHT,		/* u32, 0 to INT_MAX; 0 quiesces */
	NFVS_DEST_ATTR_U_THRESH,	/* u32: connection limit, 0 none */
	NFVS_DEST_ATTR_L_THRESH,	/* u32: resume below, <= U_THRESH */
	NFVS_DEST_ATTR_ACTIVE_CONNS,	/* u32, read only */
	NFVS_DEST_ATTR_INACT_CONNS,	/* u32, read only */
	NFVS_DEST_ATTR_PERSIST_CONNS,	/* u32, read only */
	NFVS_DEST_ATTR_STATS,		/* nested, u32 counters */
	NFVS_DEST_ATTR_ADDR_FAMILY,	/* u16, the service's when absent */
	NFVS_DEST_ATTR_STATS64,		/* nested, u64 counters */
	NFVS_DEST_ATTR_TUN_TYPE,	/* u8: NFVS_TUN_TYPE_IPIP */
	NFVS_DEST_ATTR_TUN_PORT,	/* be16 */
	NFVS_DEST_ATTR_TUN_FLAGS,	/* u16 */
	__NFVS_DEST_ATTR_MAX,
};

#define NFVS_DEST_ATTR_MAX (__NFVS_DEST_ATTR_MAX - 1)

/* Sync daemon attributes: accepted by the parser, refused by the commands. */
enum nfvs_daemon_attr {
	NFVS_DAEMON_ATTR_UNSPEC,
	NFVS_DAEMON_ATTR_STATE,
	NFVS_DAEMON_ATTR_MCAST_IFN,
	NFVS_DAEMON_ATTR_SYNC_ID,
	NFVS_DAEMON_ATTR_SYNC_MAXLEN,
	NFVS_DAEMON_ATTR_MCAST_GROUP,
	NFVS_DAEMON_ATTR_MCAST_GROUP6,
	NFVS_DAEMON_ATTR_MCAST_PORT,
	NFVS_DAEMON_ATTR_MCAST_TTL,
	__NFVS_DAEMON_ATTR_MAX,
};

#define NFVS_DAEMON_ATTR_MAX (__NFVS_DAEMON_ATTR_MAX - 1)

/* Counters (u32 in *_STATS, u64 in *_STATS64) and rates per second. */
enum nfvs_stats_attr {
	NFVS_STATS_ATTR_UNSPEC,
	NFVS_STATS_ATTR_CONNS,
	NFVS_STATS_ATTR_INPKTS,
	NFVS_STATS_ATTR_OUTPKTS,
	NFVS_STATS_ATTR_INBYTES,
	NFVS_STATS_ATTR_OUTBYTES,
	NFVS_STATS_ATTR_CPS,
	NFVS_STATS_ATTR_INPPS,
	NFVS_STATS_ATTR_OUTPPS,
	NFVS_STATS_ATTR_INBPS,
	NFVS_STATS_ATTR_OUTBPS,
	NFVS_STATS_ATTR_PAD,
	__NFVS_STATS_ATTR_MAX,
};

#define NFVS_STATS_ATTR_MAX (__NFVS_STATS_ATTR_MAX - 1)

enum nfvs_info_attr {
	NFVS_INFO_ATTR_UNSPEC,
	NFVS_INFO_ATTR_VERSION,		/* u32: NFVS_IPVS_VERSION_CODE */
	NFVS_INFO_ATTR_CONN_TAB_SIZE,	/* u32: connection table buckets */
	__NFVS_INFO_ATTR_MAX,
};

#define NFVS_INFO_ATTR_MAX (__NFVS_INFO_ATTR_MAX - 1)

/*
 * A connection, as NFVS_CMD_GET_CONN dumps it (one NFVS_CMD_ATTR_CONN per
 * message). Addresses are union nf_inet_addr (16 bytes), ports big endian.
 * CADDR:CPORT is the client, VADDR:VPORT the virtual service, DADDR:DPORT
 * the real server. ZONE is set when the connection has a conntrack entry
 * (NFVS_CONN_F_NFCT): the entry's zone id, whose original direction is
 * client -> virtual service.
 */
enum nfvs_conn_attr {
	NFVS_CONN_ATTR_UNSPEC,
	NFVS_CONN_ATTR_AF,		/* u16: AF_INET */
	NFVS_CONN_ATTR_PROTOCOL,	/* u16: IPPROTO_TCP, IPPROTO_UDP */
	NFVS_CONN_ATTR_CADDR,		/* union nf_inet_addr */
	NFVS_CONN_ATTR_CPORT,		/* be16; 0 for a template */
	NFVS_CONN_ATTR_VADDR,		/* union nf_inet_addr */
	NFVS_CONN_ATTR_VPORT,		/* be16 */
	NFVS_CONN_ATTR_DADDR,		/* union nf_inet_addr */
	NFVS_CONN_ATTR_DPORT,		/* be16 */
	NFVS_CONN_ATTR_FWD,		/* u32: NFVS_FWD_* */
	NFVS_CONN_ATTR_STATE,		/* string: ESTABLISHED, ..., UDP, NONE */
	NFVS_CONN_ATTR_EXPIRES,		/* u32: milliseconds left */
	NFVS_CONN_ATTR_FLAGS,		/* u32: NFVS_CONN_F_* */
	NFVS_CONN_ATTR_ZONE,		/* u16: conntrack zone id */
	NFVS_CONN_ATTR_HELPER,		/* string: its application helper */
	NFVS_CONN_ATTR_CONTROLLED,	/* u32: connections it controls */
	__NFVS_CONN_ATTR_MAX,
};

#define NFVS_CONN_ATTR_MAX (__NFVS_CONN_ATTR_MAX - 1)

/* Connection flags (NFVS_CONN_ATTR_FLAGS). */
#define NFVS_CONN_F_TEMPLATE	0x0001	/* persistence template */
#define NFVS_CONN_F_ONE_PACKET	0x0002	/* one-packet scheduling */
#define NFVS_CONN_F_NFCT	0x0004	/* has a conntrack entry (the bridge) */
#define NFVS_CONN_F_NO_CPORT	0x0008	/* data connection waiting for a port */

#endif /* _UAPI_LINUX_NFVS_H */
