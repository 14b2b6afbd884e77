/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_PROTO_TCP_H
#define _NFVS_PROTO_TCP_H

#include <linux/tcp.h>
#include <linux/types.h>

struct nfvs_timeouts;

/* The TCP states of an nfvs connection, IPVS's states and names. */
enum nfvs_tcp_state {
	NFVS_TCP_NONE,
	NFVS_TCP_ESTABLISHED,
	NFVS_TCP_SYN_SENT,
	NFVS_TCP_SYN_RECV,
	NFVS_TCP_FIN_WAIT,
	NFVS_TCP_TIME_WAIT,
	NFVS_TCP_CLOSE,
	NFVS_TCP_CLOSE_WAIT,
	NFVS_TCP_LAST_ACK,
	NFVS_TCP_LISTEN,
	NFVS_TCP_SYNACK,
	NFVS_TCP_STATES,
};

/*
 * Which way a packet goes: from the client (INPUT), from the real server
 * (OUTPUT), or from the client of a connection whose replies bypass the
 * director (INPUT_ONLY: DR and TUN), where the client's packets alone must
 * carry the connection through its states.
 */
enum nfvs_dir {
	NFVS_DIR_INPUT,
	NFVS_DIR_OUTPUT,
	NFVS_DIR_INPUT_ONLY,
	NFVS_DIRS,
};

u8 nfvs_tcp_next_state(u8 state, enum nfvs_dir dir, const struct tcphdr *th);
unsigned long nfvs_tcp_timeout(const struct nfvs_timeouts *t, u8 state);
bool nfvs_tcp_state_active(u8 state);
const char *nfvs_tcp_state_name(u8 state);

#endif /* _NFVS_PROTO_TCP_H */
