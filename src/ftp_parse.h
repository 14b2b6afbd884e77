/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_FTP_PARSE_H
#define _NFVS_FTP_PARSE_H

#include <linux/types.h>

#define NFVS_FTP_LINE_MAX 256	/* longer lines are skipped whole */

enum nfvs_ftp_cmd {
	NFVS_FTP_NONE = 0,
	NFVS_FTP_PORT,	/* client: PORT h1,h2,h3,h4,p1,p2 */
	NFVS_FTP_EPRT,	/* client: EPRT <d>1<d>a.b.c.d<d>port<d> (RFC 2428; only af 1) */
	NFVS_FTP_PASV,	/* server: 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2). */
	NFVS_FTP_EPSV,	/* server: 229 Entering Extended Passive Mode (<d><d><d>port<d>) */
};

struct nfvs_ftp_match {
	enum nfvs_ftp_cmd cmd;
	__be32 addr;	/* network order; 0 for EPSV */
	__be16 port;	/* network order, never 0 */
	u16 off;	/* the address text in the line: PORT and 227 "h1,h2,h3,h4,p1,p2", */
	u16 len;	/* EPRT "a.b.c.d"; EPSV the port digits */
};

/* One complete line, without its line end ("\r\n" or "\n" already cut).
 * from_client: commands (PORT, EPRT); else replies (227, 229).
 * Returns true and fills *m when the line announces a data address.
 * Lines longer than NFVS_FTP_LINE_MAX or holding a NUL byte never match;
 * on false *m is cleared to NFVS_FTP_NONE.
 */
bool nfvs_ftp_parse_line(const char *line, size_t len, bool from_client,
			 struct nfvs_ftp_match *m);

/* Writes "h1,h2,h3,h4,p1,p2" (no NUL needed) for addr:port into buf;
 * returns its length, or -ENOSPC if size is too small (buf untouched).
 */
int nfvs_ftp_format_pasv(char *buf, size_t size, __be32 addr, __be16 port);

/* Line assembly across TCP segments, one per direction of a connection;
 * all zero (kzalloc, memset) is the start of a stream.
 */
struct nfvs_ftp_lines {
	char buf[NFVS_FTP_LINE_MAX];
	u16 len;		/* bytes of a partial line carried over */
	bool skipping;		/* inside a line longer than buf: until its '\n' */
	bool cr;		/* a '\r' after buf's bytes ended the last segment */
};

/* Feeds one segment's payload, in order. Calls fn for every complete line
 * (line end cut off) of at most NFVS_FTP_LINE_MAX bytes. off is the line's
 * offset in this payload when the whole line is in it, or -1 when it began
 * in an earlier segment (then line points into st->buf). fn returns
 * nonzero to stop: no more lines of this payload are reported, but the
 * rest of it still moves the state on, so that the next segment is cut
 * into lines where the peer's lines really begin.
 */
void nfvs_ftp_feed(struct nfvs_ftp_lines *st, const char *data, size_t len,
		   int (*fn)(void *arg, const char *line, size_t len, int off),
		   void *arg);

/*
 * One direction of a control connection read as a stream of lines,
 * whatever its segments (all zero is the start). nfvs_ftp_stream_feed()
 * takes a segment by its sequence number: the lines of bytes new to the
 * stream are reported with fresh set (to be acted on), those of bytes
 * sent again with fresh clear (to be rewritten again, not acted on twice);
 * a segment that overlaps the end of what was read is both. After a gap
 * (bytes not seen), reading resumes at the segment's first line end: the
 * line the gap cut is lost. off is as for nfvs_ftp_feed(), in the segment.
 */
struct nfvs_ftp_stream {
	struct nfvs_ftp_lines lines;
	u32 next_seq;		/* the first byte not read yet */
	bool started;
};

typedef int (*nfvs_ftp_stream_fn)(void *arg, const char *line, size_t len,
				  int off, bool fresh);

void nfvs_ftp_stream_feed(struct nfvs_ftp_stream *st, u32 seq,
			  const char *data, size_t len,
			  nfvs_ftp_stream_fn fn, void *arg);

#endif /* _NFVS_FTP_PARSE_H */
