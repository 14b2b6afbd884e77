// SPDX-License-Identifier: GPL-2.0
/*
 * The FTP control-connection parser of the FTP helper: cuts a stream into
 * lines and finds the data addresses announced in them (PORT and EPRT from
 * the client, 227 and 229 from the server). Pure code, no packets.
 *
 * Strict where a lax reading would let one side open a data channel the
 * other side never announced: the command or reply code begins the line,
 * numbers are plain decimal with a bounded digit count, every field must
 * end where the syntax says, and a line too long to keep is never reported
 * in part. Tolerant of what real clients and servers vary: case of the
 * command, spaces around it and after the commas, the text of a 227 reply
 * around its numbers.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>

#include "ftp_parse.h"

#define NFVS_FTP_BYTE_DIGITS 3	/* "0255" is one digit too many */
#define NFVS_FTP_PORT_DIGITS 5

/* A cursor over a line that is not NUL-terminated. */
struct nfvs_ftp_text {
	const char *s;
	size_t len;
	size_t pos;
};

static bool nfvs_ftp_at(const struct nfvs_ftp_text *t, char c)
{
	return t->pos < t->len && t->s[t->pos] == c;
}

static bool nfvs_ftp_at_digit(const struct nfvs_ftp_text *t)
{
	return t->pos < t->len && isdigit(t->s[t->pos]);
}

static bool nfvs_ftp_eat(struct nfvs_ftp_text *t, char c)
{
	if (!nfvs_ftp_at(t, c))
		return false;
	t->pos++;
	return true;
}

static size_t nfvs_ftp_eat_spaces(struct nfvs_ftp_text *t)
{
	size_t start = t->pos;

	while (nfvs_ftp_at(t, ' '))
		t->pos++;
	return t->pos - start;
}

/* Only spaces up to the end of the line. */
static bool nfvs_ftp_at_end(struct nfvs_ftp_text *t)
{
	nfvs_ftp_eat_spaces(t);
	return t->pos == t->len;
}

/*
 * 1 to max_digits decimal digits, value at most max. A longer run of digits
 * fails rather than stopping early, so "1000" is never read as 100.
 */
static bool nfvs_ftp_number(struct nfvs_ftp_text *t, unsigned int max_digits,
			    u32 max, u32 *val)
{
	size_t start = t->pos;
	u32 v = 0;

	while (nfvs_ftp_at_digit(t)) {
		if (t->pos - start == max_digits)
			return false;
		v = v * 10 + (t->s[t->pos] - '0');
		t->pos++;
	}
	if (t->pos == start || v > max)
		return false;
	*val = v;
	return true;
}

static bool nfvs_ftp_port(struct nfvs_ftp_text *t, __be16 *port)
{
	u32 v;

	if (!nfvs_ftp_number(t, NFVS_FTP_PORT_DIGITS, U16_MAX, &v) || !v)
		return false;
	*port = htons(v);
	return true;
}

/* No data connection goes to "any" or to the broadcast address. */
static bool nfvs_ftp_addr_ok(u32 addr)
{
	return addr != 0 && addr != U32_MAX;
}

/* "h1,h2,h3,h4,p1,p2", spaces allowed right after each comma. */
static bool nfvs_ftp_six(struct nfvs_ftp_text *t, struct nfvs_ftp_match *m)
{
	u32 n[6], addr;
	int i;

	for (i = 0; i < 6; i++) {
		if (i) {
			if (!nfvs_ftp_eat(t, ','))
				return false;
			nfvs_ftp_eat_spaces(t);
		}
		if (!nfvs_ftp_number(t, NFVS_FTP_BYTE_DIGITS, 255, &n[i]))
			return false;
	}
	if (nfvs_ftp_at(t, ','))
		return false;
	addr = n[0] << 24 | n[1] << 16 | n[2] << 8 | n[3];
	if (!nfvs_ftp_addr_ok(addr) || !(n[4] | n[5]))
		return false;
	m->addr = htonl(addr);
	m->port = htons(n[4] << 8 | n[5]);
	return true;
}

/*
 * "a.b.c.d" with no leading zeros: inet_aton(), which servers use on EPRT,
 * reads "010" as octal 8, so such an address means different things to us
 * and to the server.
 */
static bool nfvs_ftp_dotted_quad(struct nfvs_ftp_text *t, __be32 *addr)
{
	u32 a = 0, v;
	int i;

	for (i = 0; i < 4; i++) {
		if (i && !nfvs_ftp_eat(t, '.'))
			return false;
		if (nfvs_ftp_at(t, '0') && t->pos + 1 < t->len &&
		    isdigit(t->s[t->pos + 1]))
			return false;
		if (!nfvs_ftp_number(t, NFVS_FTP_BYTE_DIGITS, 255, &v))
			return false;
		a = a << 8 | v;
	}
	if (!nfvs_ftp_addr_ok(a))
		return false;
	*addr = htonl(a);
	return true;
}

/* RFC 2428: any printable ASCII but the digits the fields are made of. */
static bool nfvs_ftp_delim_ok(char d)
{
	return d >= 33 && d <= 126 && !isdigit(d);
}

static bool nfvs_ftp_command(struct nfvs_ftp_text *t, const char *name)
{
	size_t n = strlen(name);

	if (t->len - t->pos < n || strncasecmp(t->s + t->pos, name, n))
		return false;
	t->pos += n;
	return nfvs_ftp_eat_spaces(t) > 0;
}

static bool nfvs_ftp_parse_port(struct nfvs_ftp_text *t,
				struct nfvs_ftp_match *m)
{
	m->off = t->pos;
	if (!nfvs_ftp_six(t, m))
		return false;
	m->len = t->pos - m->off;
	m->cmd = NFVS_FTP_PORT;
	return nfvs_ftp_at_end(t);
}

/* <d>1<d>a.b.c.d<d>port<d>; '.' cannot delimit a dotted quad. */
static bool nfvs_ftp_parse_eprt(struct nfvs_ftp_text *t,
				struct nfvs_ftp_match *m)
{
	char d;

	if (t->pos == t->len)
		return false;
	d = t->s[t->pos++];
	if (!nfvs_ftp_delim_ok(d) || d == '.')
		return false;
	if (!nfvs_ftp_eat(t, '1') || !nfvs_ftp_eat(t, d))
		return false;
	m->off = t->pos;
	if (!nfvs_ftp_dotted_quad(t, &m->addr))
		return false;
	m->len = t->pos - m->off;
	if (!nfvs_ftp_eat(t, d) || !nfvs_ftp_port(t, &m->port) ||
	    !nfvs_ftp_eat(t, d))
		return false;
	m->cmd = NFVS_FTP_EPRT;
	return nfvs_ftp_at_end(t);
}

static bool nfvs_ftp_parse_client(struct nfvs_ftp_text *t,
				  struct nfvs_ftp_match *m)
{
	nfvs_ftp_eat_spaces(t);
	if (nfvs_ftp_command(t, "PORT"))
		return nfvs_ftp_parse_port(t, m);
	if (nfvs_ftp_command(t, "EPRT"))
		return nfvs_ftp_parse_eprt(t, m);
	return false;
}

/*
 * RFC 1123 4.1.2.6: the numbers start at the first digit after the code,
 * in parentheses or not. An opening parenthesis must be closed right after
 * them; any other text may follow.
 */
static bool nfvs_ftp_parse_227(struct nfvs_ftp_text *t,
			       struct nfvs_ftp_match *m)
{
	char before;

	while (t->pos < t->len && !isdigit(t->s[t->pos]))
		t->pos++;
	before = t->s[t->pos - 1];
	/* "-10" is not 10 to a client that reads signed numbers. */
	if (t->pos > 4 && (before == '+' || before == '-'))
		return false;
	m->off = t->pos;
	if (!nfvs_ftp_six(t, m))
		return false;
	m->len = t->pos - m->off;
	if (before == '(' && !nfvs_ftp_eat(t, ')'))
		return false;
	m->cmd = NFVS_FTP_PASV;
	return true;
}

/* The first parentheses hold exactly "(<d><d><d>port<d>)". */
static bool nfvs_ftp_parse_229(struct nfvs_ftp_text *t,
			       struct nfvs_ftp_match *m)
{
	const char *paren = memchr(t->s + t->pos, '(', t->len - t->pos);
	char d;

	if (!paren)
		return false;
	t->pos = paren - t->s + 1;
	if (t->pos == t->len)
		return false;
	d = t->s[t->pos];
	if (!nfvs_ftp_delim_ok(d))
		return false;
	if (!nfvs_ftp_eat(t, d) || !nfvs_ftp_eat(t, d) || !nfvs_ftp_eat(t, d))
		return false;
	m->off = t->pos;
	if (!nfvs_ftp_port(t, &m->port))
		return false;
	m->len = t->pos - m->off;
	if (!nfvs_ftp_eat(t, d) || !nfvs_ftp_eat(t, ')'))
		return false;
	m->addr = 0;
	m->cmd = NFVS_FTP_EPSV;
	return true;
}

/* "227 " or "227-" (first line of a multi-line reply), from column 0. */
static bool nfvs_ftp_reply_code(struct nfvs_ftp_text *t, const char *code)
{
	if (t->len < 4 || memcmp(t->s, code, 3) ||
	    (t->s[3] != ' ' && t->s[3] != '-'))
		return false;
	t->pos = 4;
	return true;
}

static bool nfvs_ftp_parse_server(struct nfvs_ftp_text *t,
				  struct nfvs_ftp_match *m)
{
	if (nfvs_ftp_reply_code(t, "227"))
		return nfvs_ftp_parse_227(t, m);
	if (nfvs_ftp_reply_code(t, "229"))
		return nfvs_ftp_parse_229(t, m);
	return false;
}

bool nfvs_ftp_parse_line(const char *line, size_t len, bool from_client,
			 struct nfvs_ftp_match *m)
{
	struct nfvs_ftp_text t = { .s = line, .len = len };
	bool found;

	memset(m, 0, sizeof(*m));
	/* A NUL ends the line early for a C-string parser at either end. */
	if (!len || len > NFVS_FTP_LINE_MAX || memchr(line, '\0', len))
		return false;
	if (from_client)
		found = nfvs_ftp_parse_client(&t, m);
	else
		found = nfvs_ftp_parse_server(&t, m);
	if (!found)
		memset(m, 0, sizeof(*m));
	return found;
}

static size_t nfvs_ftp_put_byte(char *p, u8 v)
{
	size_t n = v >= 100 ? 3 : v >= 10 ? 2 : 1;
	size_t i;

	for (i = n; i-- > 0; v /= 10)
		p[i] = '0' + v % 10;
	return n;
}

int nfvs_ftp_format_pasv(char *buf, size_t size, __be32 addr, __be16 port)
{
	u32 a = ntohl(addr);
	u16 p = ntohs(port);
	u8 n[6] = { a >> 24, a >> 16, a >> 8, a, p >> 8, p };
	char tmp[6 * 4];
	size_t len = 0;
	int i;

	for (i = 0; i < 6; i++) {
		if (i)
			tmp[len++] = ',';
		len += nfvs_ftp_put_byte(tmp + len, n[i]);
	}
	if (len > size)
		return -ENOSPC;
	memcpy(buf, tmp, len);
	return len;
}

/* Keeps n more bytes of a line that began in an earlier segment. */
static void nfvs_ftp_keep(struct nfvs_ftp_lines *st, const char *p, size_t n)
{
	if (st->skipping)
		return;
	if (n > sizeof(st->buf) - st->len) {
		st->skipping = true;
		st->len = 0;
		return;
	}
	memcpy(st->buf + st->len, p, n);
	st->len += n;
}

/* The '\r' that ended the last segment was not a line end after all. */
static void nfvs_ftp_keep_cr(struct nfvs_ftp_lines *st)
{
	if (st->cr) {
		st->cr = false;
		nfvs_ftp_keep(st, "\r", 1);
	}
}

/* The start of a line whose end is in a later segment. */
static void nfvs_ftp_carry(struct nfvs_ftp_lines *st, const char *p, size_t n)
{
	if (!n)
		return;
	nfvs_ftp_keep_cr(st);
	if (p[n - 1] == '\r') {
		nfvs_ftp_keep(st, p, n - 1);
		st->cr = !st->skipping;
	} else {
		nfvs_ftp_keep(st, p, n);
	}
}

/*
 * The line of n bytes at p ends with the '\n' right after them. Returns
 * whether it is to be reported, as *line of *line_len bytes (into st->buf
 * when it began in an earlier segment), and starts the next line.
 */
static bool nfvs_ftp_line_end(struct nfvs_ftp_lines *st, const char *p,
			      size_t n, const char **line, size_t *line_len)
{
	bool began_before = st->len || st->cr || st->skipping;
	size_t content = n && p[n - 1] == '\r' ? n - 1 : n;
	bool whole;

	if (!began_before) {
		*line = p;
		*line_len = content;
		return content <= NFVS_FTP_LINE_MAX;
	}
	/* Bytes before the '\n': a '\r' that ended the last segment was not
	 * the line end.
	 */
	if (n)
		nfvs_ftp_keep_cr(st);
	nfvs_ftp_keep(st, p, content);
	whole = !st->skipping;
	*line = st->buf;
	*line_len = st->len;
	st->len = 0;
	st->cr = false;
	st->skipping = false;
	return whole;
}

void nfvs_ftp_feed(struct nfvs_ftp_lines *st, const char *data, size_t len,
		   int (*fn)(void *arg, const char *line, size_t len, int off),
		   void *arg)
{
	bool report = true;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end, line_len;
		const char *line;

		if (!nl) {
			nfvs_ftp_carry(st, data + pos, len - pos);
			return;
		}
		end = nl - data;
		if (nfvs_ftp_line_end(st, data + pos, end - pos, &line,
				      &line_len) && report)
			report = !fn(arg, line, line_len,
				     line == data + pos ? (int)pos : -1);
		pos = end + 1;
	}
}

/* A stream's lines as nfvs_ftp_feed() reports them, placed in the segment. */
struct nfvs_ftp_stream_call {
	nfvs_ftp_stream_fn fn;
	void *arg;
	size_t base;		/* where the bytes fed begin in the segment */
	bool fresh;
};

static int nfvs_ftp_stream_line(void *arg, const char *line, size_t len,
				int off)
{
	struct nfvs_ftp_stream_call *call = arg;

	return call->fn(call->arg, line, len,
			off < 0 ? -1 : off + (int)call->base, call->fresh);
}

void nfvs_ftp_stream_feed(struct nfvs_ftp_stream *st, u32 seq,
			  const char *data, size_t len,
			  nfvs_ftp_stream_fn fn, void *arg)
{
	struct nfvs_ftp_stream_call call = { .fn = fn, .arg = arg };
	struct nfvs_ftp_lines again = {};
	u32 seen;

	if (st->started && (s32)(seq - st->next_seq) > 0) {
		/* A gap: the line it cut is lost, the next one is read. */
		st->lines.len = 0;
		st->lines.cr = false;
		st->lines.skipping = true;
	} else if (st->started && seq != st->next_seq) {
		/* Bytes sent again, read on their own, then any new ones. */
		seen = min_t(u32, st->next_seq - seq, len);
		nfvs_ftp_feed(&again, data, seen, nfvs_ftp_stream_line, &call);
		if (seen == len)
			return;
		call.base = seen;
	}
	st->started = true;
	st->next_seq = seq + len;
	call.fresh = true;
	nfvs_ftp_feed(&st->lines, data + call.base, len - call.base,
		      nfvs_ftp_stream_line, &call);
}
