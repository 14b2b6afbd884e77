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
 * Sysctls live under /proc/sys/net/nfvs/ (one copy per network namespace):
 *
 *   conntrack  0 (default): nfvs packets are untracked.
 *              1: every nfvs connection has a confirmed conntrack entry.
 */
#ifndef _UAPI_LINUX_NFVS_H
#define _UAPI_LINUX_NFVS_H

#define NFVS_GENL_NAME		"nfvs"
#define NFVS_GENL_VERSION	0x1

#define NFVS_SYSCTL_DIR		"net/nfvs"

#define NFVS_PRI_IN		100	/* NF_IP_PRI_NAT_SRC */
#define NFVS_PRI_FWD_ICMP	99
#define NFVS_PRI_OUT		100
#define NFVS_PRI_POST		99	/* NF_IP_PRI_NAT_SRC - 1 */

#endif /* _UAPI_LINUX_NFVS_H */
