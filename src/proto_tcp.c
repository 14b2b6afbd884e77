// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP state machine of nfvs connections: IPVS's states, transitions
 * and default timeouts, so that ipvsadm -Lc and the connection counters read
 * the same as with IPVS.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>

#include "netns.h"
#include "proto_tcp.h"

/* What a segment says, strongest flag first. */
enum nfvs_tcp_event { EV_SYN, EV_FIN, EV_ACK, EV_RST, EV_COUNT };

#define S_NO NFVS_TCP_NONE
#define S_ES NFVS_TCP_ESTABLISHED
#define S_SS NFVS_TCP_SYN_SENT
#define S_SR NFVS_TCP_SYN_RECV
#define S_FW NFVS_TCP_FIN_WAIT
#define S_TW NFVS_TCP_TIME_WAIT
#define S_CL NFVS_TCP_CLOSE
#define S_CW NFVS_TCP_CLOSE_WAIT
#define S_LA NFVS_TCP_LAST_ACK
#define S_LI NFVS_TCP_LISTEN
#define S_SA NFVS_TCP_SYNACK

/* next[direction][event][current state] */
static const u8 nfvs_tcp_next[NFVS_DIRS][EV_COUNT][NFVS_TCP_STATES] = {
	[NFVS_DIR_INPUT] = {
		/*         NO    ES    SS    SR    FW    TW    CL    CW    LA    LI    SA */
		[EV_SYN] = { S_SR, S_ES, S_ES, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR },
		[EV_FIN] = { S_CL, S_CW, S_SS, S_TW, S_TW, S_TW, S_CL, S_CW, S_LA, S_LI, S_TW },
		[EV_ACK] = { S_ES, S_ES, S_SS, S_ES, S_FW, S_TW, S_CL, S_CW, S_CL, S_LI, S_ES },
		[EV_RST] = { S_CL, S_CL, S_CL, S_SR, S_CL, S_CL, S_CL, S_CL, S_LA, S_LI, S_SR },
	},
	[NFVS_DIR_OUTPUT] = {
		[EV_SYN] = { S_SS, S_ES, S_SS, S_SR, S_SS, S_SS, S_SS, S_SS, S_SS, S_LI, S_SR },
		[EV_FIN] = { S_TW, S_FW, S_SS, S_TW, S_FW, S_TW, S_CL, S_TW, S_LA, S_LI, S_TW },
		[EV_ACK] = { S_ES, S_ES, S_SS, S_ES, S_FW, S_TW, S_CL, S_CW, S_LA, S_ES, S_ES },
		[EV_RST] = { S_CL, S_CL, S_SS, S_CL, S_CL, S_TW, S_CL, S_CL, S_CL, S_CL, S_CL },
	},
	[NFVS_DIR_INPUT_ONLY] = {
		[EV_SYN] = { S_SR, S_ES, S_ES, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR, S_SR },
		[EV_FIN] = { S_CL, S_FW, S_SS, S_TW, S_FW, S_TW, S_CL, S_CW, S_LA, S_LI, S_TW },
		[EV_ACK] = { S_ES, S_ES, S_SS, S_ES, S_FW, S_TW, S_CL, S_CW, S_CL, S_LI, S_ES },
		[EV_RST] = { S_CL, S_CL, S_CL, S_SR, S_CL, S_CL, S_CL, S_CL, S_LA, S_LI, S_CL },
	},
};

/* Default timeouts in seconds; ESTABLISHED and FIN_WAIT are settable. */
static const u16 nfvs_tcp_timeouts[NFVS_TCP_STATES] = {
	[NFVS_TCP_NONE] = 2,
	[NFVS_TCP_ESTABLISHED] = 15 * 60,
	[NFVS_TCP_SYN_SENT] = 2 * 60,
	[NFVS_TCP_SYN_RECV] = 60,
	[NFVS_TCP_FIN_WAIT] = 2 * 60,
	[NFVS_TCP_TIME_WAIT] = 2 * 60,
	[NFVS_TCP_CLOSE] = 10,
	[NFVS_TCP_CLOSE_WAIT] = 60,
	[NFVS_TCP_LAST_ACK] = 30,
	[NFVS_TCP_LISTEN] = 2 * 60,
	[NFVS_TCP_SYNACK] = 2 * 60,
};

static const char *const nfvs_tcp_names[NFVS_TCP_STATES] = {
	[NFVS_TCP_NONE] = "NONE",
	[NFVS_TCP_ESTABLISHED] = "ESTABLISHED",
	[NFVS_TCP_SYN_SENT] = "SYN_SENT",
	[NFVS_TCP_SYN_RECV] = "SYN_RECV",
	[NFVS_TCP_FIN_WAIT] = "FIN_WAIT",
	[NFVS_TCP_TIME_WAIT] = "TIME_WAIT",
	[NFVS_TCP_CLOSE] = "CLOSE",
	[NFVS_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[NFVS_TCP_LAST_ACK] = "LAST_ACK",
	[NFVS_TCP_LISTEN] = "LISTEN",
	[NFVS_TCP_SYNACK] = "SYNACK",
};

u8 nfvs_tcp_next_state(u8 state, enum nfvs_dir dir, const struct tcphdr *th)
{
	enum nfvs_tcp_event ev;

	if (state >= NFVS_TCP_STATES || dir >= NFVS_DIRS)
		return NFVS_TCP_CLOSE;
	if (th->rst)
		ev = EV_RST;
	else if (th->syn)
		ev = EV_SYN;
	else if (th->fin)
		ev = EV_FIN;
	else if (th->ack)
		ev = EV_ACK;
	else
		return state;
	return nfvs_tcp_next[dir][ev][state];
}

unsigned long nfvs_tcp_timeout(const struct nfvs_timeouts *t, u8 state)
{
	if (state == NFVS_TCP_ESTABLISHED)
		return t->tcp * HZ;
	if (state == NFVS_TCP_FIN_WAIT)
		return t->tcp_fin * HZ;
	if (state >= NFVS_TCP_STATES)
		return 2 * HZ;
	return nfvs_tcp_timeouts[state] * HZ;
}

bool nfvs_tcp_state_active(u8 state)
{
	return state == NFVS_TCP_ESTABLISHED || state == NFVS_TCP_SYN_SENT ||
	       state == NFVS_TCP_SYN_RECV || state == NFVS_TCP_SYNACK;
}

const char *nfvs_tcp_state_name(u8 state)
{
	return state < NFVS_TCP_STATES ? nfvs_tcp_names[state] : "ERR!";
}
