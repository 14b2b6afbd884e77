// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the FTP control-line parser of src/ftp_parse.c. Every line
 * is parsed from a heap copy of exactly its length, so that KASAN reports
 * any read past the end.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ftp_parse.h"

#define IP(a, b, c, d) ((u32)(a) << 24 | (b) << 16 | (c) << 8 | (d))

#define CLIENT true
#define SERVER false

struct good_line {
	bool client;
	const char *line;
	size_t len;
	enum nfvs_ftp_cmd cmd;
	u32 addr;
	u16 port;
	const char *text;	/* at off, len long; its first occurrence */
};

#define G(dir, s, cmd, addr, port, text) \
	{ dir, s, sizeof(s) - 1, NFVS_FTP_##cmd, addr, port, text }

static const struct good_line good_lines[] = {
	G(CLIENT, "PORT 10,0,0,1,4,1", PORT, IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(CLIENT, "port 10,0,0,1,4,1", PORT, IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(CLIENT, "Port 192,168,1,2,200,10", PORT, IP(192, 168, 1, 2), 51210,
	  "192,168,1,2,200,10"),
	G(CLIENT, "pOrT 1,2,3,4,0,1", PORT, IP(1, 2, 3, 4), 1, "1,2,3,4,0,1"),
	G(CLIENT, "   PORT    10,0,0,1,4,1", PORT, IP(10, 0, 0, 1), 1025,
	  "10,0,0,1,4,1"),
	G(CLIENT, "PORT 10,0,0,1,4,1   ", PORT, IP(10, 0, 0, 1), 1025,
	  "10,0,0,1,4,1"),
	G(CLIENT, "PORT 10, 0,  0,   1, 4, 1", PORT, IP(10, 0, 0, 1), 1025,
	  "10, 0,  0,   1, 4, 1"),
	G(CLIENT, "PORT 010,000,000,001,004,001", PORT, IP(10, 0, 0, 1), 1025,
	  "010,000,000,001,004,001"),
	G(CLIENT, "PORT 255,255,255,254,255,255", PORT, IP(255, 255, 255, 254),
	  65535, "255,255,255,254,255,255"),
	G(CLIENT, "PORT 0,0,0,1,0,1", PORT, IP(0, 0, 0, 1), 1, "0,0,0,1,0,1"),
	G(CLIENT, "EPRT |1|132.235.1.2|6275|", EPRT, IP(132, 235, 1, 2), 6275,
	  "132.235.1.2"),
	G(CLIENT, "eprt |1|10.0.0.1|21|", EPRT, IP(10, 0, 0, 1), 21, "10.0.0.1"),
	G(CLIENT, "EpRt !1!10.0.0.1!65535!", EPRT, IP(10, 0, 0, 1), 65535,
	  "10.0.0.1"),
	G(CLIENT, "  EPRT   #1#0.0.0.1#1#  ", EPRT, IP(0, 0, 0, 1), 1, "0.0.0.1"),
	G(CLIENT, "EPRT ~1~255.255.255.254~00021~", EPRT, IP(255, 255, 255, 254),
	  21, "255.255.255.254"),
	G(CLIENT, "EPRT (1(10.0.0.1(2000(", EPRT, IP(10, 0, 0, 1), 2000,
	  "10.0.0.1"),
	G(CLIENT, "EPRT ,1,10.0.0.1,2000,", EPRT, IP(10, 0, 0, 1), 2000,
	  "10.0.0.1"),
	G(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1).", PASV,
	  IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1)", PASV,
	  IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227 Entering Passive Mode 10,0,0,1,4,1", PASV,
	  IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227 Entering Passive Mode 10,0,0,1,4,1.", PASV,
	  IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227 =10,0,0,1,4,1", PASV, IP(10, 0, 0, 1), 1025,
	  "10,0,0,1,4,1"),
	G(SERVER, "227 10,0,0,1,4,1", PASV, IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227-10,0,0,1,4,1", PASV, IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227-Entering Passive Mode (10,0,0,1,4,1)", PASV,
	  IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1"),
	G(SERVER, "227 Entering Passive Mode (192,168,1,2,200,10). Thanks, 42 times!",
	  PASV, IP(192, 168, 1, 2), 51210, "192,168,1,2,200,10"),
	G(SERVER, "227 Passive (10, 0, 0, 1, 4, 1)", PASV, IP(10, 0, 0, 1), 1025,
	  "10, 0, 0, 1, 4, 1"),
	G(SERVER, "227 OK (010,000,000,001,004,001)", PASV, IP(10, 0, 0, 1), 1025,
	  "010,000,000,001,004,001"),
	G(SERVER, "229 Entering Extended Passive Mode (|||6446|)", EPSV, 0, 6446,
	  "6446"),
	G(SERVER, "229 Entering Extended Passive Mode (!!!6446!)", EPSV, 0, 6446,
	  "6446"),
	G(SERVER, "229-EPSV (###1#)", EPSV, 0, 1, "1"),
	G(SERVER, "229 (|||65535|) 3 ok", EPSV, 0, 65535, "65535"),
	G(SERVER, "229 Extended Passive (...01024.)", EPSV, 0, 1024, "01024"),
};

struct bad_line {
	bool client;
	const char *line;
	size_t len;
};

/* sizeof: the NUL bytes inside count. */
#define B(dir, s) { dir, s, sizeof(s) - 1 }

static const struct bad_line bad_lines[] = {
	/* Numbers out of range or too long, even with leading zeros. */
	B(CLIENT, "PORT 256,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,256,4,1"),
	B(CLIENT, "PORT 10,0,0,1,256,1"),
	B(CLIENT, "PORT 10,0,0,1,4,256"),
	B(CLIENT, "PORT 10,0,0,1,4,999"),
	B(CLIENT, "PORT 0255,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4,0001"),
	B(CLIENT, "PORT 1000,0,0,1,4,1"),
	B(CLIENT, "PORT 1,2,3,4,5,99999"),
	B(CLIENT, "PORT 99999999999,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4,4294967297"),
	/* Too few or too many numbers, empty ones. */
	B(CLIENT, "PORT 10,0,0,1,4"),
	B(CLIENT, "PORT 10,0,0,1"),
	B(CLIENT, "PORT 10"),
	B(CLIENT, "PORT 10,0,0,1,4,1,7"),
	B(CLIENT, "PORT 10,0,0,1,4,1,"),
	B(CLIENT, "PORT ,10,0,0,1,4,1"),
	B(CLIENT, "PORT 10,,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4,,1"),
	/* Port 0, address 0.0.0.0 or 255.255.255.255. */
	B(CLIENT, "PORT 10,0,0,1,0,0"),
	B(CLIENT, "PORT 10,0,0,1,00,000"),
	B(CLIENT, "PORT 0,0,0,0,4,1"),
	B(CLIENT, "PORT 000,0,00,0,4,1"),
	B(CLIENT, "PORT 255,255,255,255,4,1"),
	/* Signs, other bases, other separators, stray text. */
	B(CLIENT, "PORT +10,0,0,1,4,1"),
	B(CLIENT, "PORT -10,0,0,1,4,1"),
	B(CLIENT, "PORT 10,-0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4,+1"),
	B(CLIENT, "PORT 10,0,0,1,4,-1"),
	B(CLIENT, "PORT 0x0a,0,0,1,4,1"),
	B(CLIENT, "PORT 10.0.0.1,4,1"),
	B(CLIENT, "PORT 10 ,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4 ,1"),
	B(CLIENT, "PORT 10,0,0,1,4,1x"),
	B(CLIENT, "PORT 10,0,0,1,4,1)"),
	B(CLIENT, "PORT 10,0,0,1,4,1."),
	B(CLIENT, "PORT (10,0,0,1,4,1)"),
	B(CLIENT, "PORT 10,0,0,1,4,1\r"),
	/* The command itself. */
	B(CLIENT, "PORT10,0,0,1,4,1"),
	B(CLIENT, "PORT\t10,0,0,1,4,1"),
	B(CLIENT, "\tPORT 10,0,0,1,4,1"),
	B(CLIENT, "PORT"),
	B(CLIENT, "PORT "),
	B(CLIENT, "PORT  "),
	B(CLIENT, "PORTS 10,0,0,1,4,1"),
	B(CLIENT, "XPORT 10,0,0,1,4,1"),
	B(CLIENT, "NOOP PORT 10,0,0,1,4,1"),
	B(CLIENT, "PORT PORT 10,0,0,1,4,1"),
	B(CLIENT, "POR 10,0,0,1,4,1"),
	/* NUL bytes anywhere. */
	B(CLIENT, "PORT 10,0,0,1,4,1\0"),
	B(CLIENT, "PORT 10,0\0,0,1,4,1"),
	B(CLIENT, "\0PORT 10,0,0,1,4,1"),
	B(CLIENT, "PORT\0 10,0,0,1,4,1"),
	B(CLIENT, "PORT 10,0,0,1,4,1 \0 "),
	/* Digits and commas alone, and next to nothing. */
	B(CLIENT, "10,0,0,1,4,1"),
	B(CLIENT, "1,2,3,4,5,6,7,8,9,10,11,12"),
	B(CLIENT, ",,,,,"),
	B(CLIENT, "0123456789"),
	B(CLIENT, ""),
	B(CLIENT, " "),
	B(CLIENT, ","),
	B(CLIENT, "\0"),
	B(SERVER, "10,0,0,1,4,1"),
	B(SERVER, "227,0,0,1,4,1"),
	B(SERVER, ""),
	/* Replies from the client, commands from the server. */
	B(CLIENT, "227 Entering Passive Mode (10,0,0,1,4,1)."),
	B(CLIENT, "227 10,0,0,1,4,1"),
	B(CLIENT, "229 Entering Extended Passive Mode (|||6446|)"),
	B(SERVER, "PORT 10,0,0,1,4,1"),
	B(SERVER, "EPRT |1|10.0.0.1|21|"),
	/* EPRT. */
	B(CLIENT, "EPRT |2|::1|6275|"),
	B(CLIENT, "EPRT |2|10.0.0.1|6275|"),
	B(CLIENT, "EPRT |01|10.0.0.1|21|"),
	B(CLIENT, "EPRT |11|10.0.0.1|21|"),
	B(CLIENT, "EPRT ||10.0.0.1|21|"),
	B(CLIENT, "EPRT |1|10.0.0.256|21|"),
	B(CLIENT, "EPRT |1|10.0.0.1000|21|"),
	B(CLIENT, "EPRT |1|10.0.0|21|"),
	B(CLIENT, "EPRT |1|10.0.0.1.5|21|"),
	B(CLIENT, "EPRT |1|10.0.0.|21|"),
	B(CLIENT, "EPRT |1|.10.0.0.1|21|"),
	B(CLIENT, "EPRT |1|10..0.1|21|"),
	B(CLIENT, "EPRT |1|10.0.0.1|0|"),
	B(CLIENT, "EPRT |1|10.0.0.1|00000|"),
	B(CLIENT, "EPRT |1|10.0.0.1|65536|"),
	B(CLIENT, "EPRT |1|10.0.0.1|100000|"),
	B(CLIENT, "EPRT |1|10.0.0.1|000021|"),
	B(CLIENT, "EPRT |1|1.2.3.4|99999999999|"),
	B(CLIENT, "EPRT |1|10.0.0.1|21"),
	B(CLIENT, "EPRT |1|10.0.0.1||"),
	B(CLIENT, "EPRT |1|10.0.0.1|21|x"),
	B(CLIENT, "EPRT |1|10.0.0.1|21||"),
	B(CLIENT, "EPRT |1|10.0.0.1!21!"),
	B(CLIENT, "EPRT !1|10.0.0.1|21|"),
	B(CLIENT, "EPRT 1110.0.0.11211"),
	B(CLIENT, "EPRT .1.10.0.0.1.21."),
	B(CLIENT, "EPRT |1|010.0.0.1|21|"),
	B(CLIENT, "EPRT |1|10.0.0.01|21|"),
	B(CLIENT, "EPRT |1|10.00.0.1|21|"),
	B(CLIENT, "EPRT |1|0.0.0.0|21|"),
	B(CLIENT, "EPRT |1|255.255.255.255|21|"),
	B(CLIENT, "EPRT |1| 10.0.0.1|21|"),
	B(CLIENT, "EPRT |1|10.0.0.1 |21|"),
	B(CLIENT, "EPRT |1|10.0.0.1| 21|"),
	B(CLIENT, "EPRT |1|10.0.0.1|+21|"),
	B(CLIENT, "EPRT |1|10.0.0.1|-21|"),
	B(CLIENT, "EPRT |1|0x0a.0.0.1|21|"),
	B(CLIENT, "EPRT \1771\17710.0.0.1\17721\177"),
	B(CLIENT, "EPRT \2001\20010.0.0.1\20021\200"),
	B(CLIENT, "EPRT"),
	B(CLIENT, "EPRT "),
	B(CLIENT, "EPRT |"),
	B(CLIENT, "EPRT |1"),
	B(CLIENT, "EPRT|1|10.0.0.1|21|"),
	B(CLIENT, "EPRT |1|10.0.0.1|21|\0"),
	B(CLIENT, "EPRT |1|10.0.0.1|2\0001|"),
	/* 227. */
	B(SERVER, " 227 Entering Passive Mode (10,0,0,1,4,1)"),
	B(SERVER, "2270 Entering Passive Mode (10,0,0,1,4,1)"),
	B(SERVER, "227(10,0,0,1,4,1)"),
	B(SERVER, "227"),
	B(SERVER, "227 "),
	B(SERVER, "227-"),
	B(SERVER, "22 (10,0,0,1,4,1)"),
	B(SERVER, "228 Entering Passive Mode (10,0,0,1,4,1)"),
	B(SERVER, "227\t(10,0,0,1,4,1)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1,2)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1 )"),
	B(SERVER, "227 Entering Passive Mode (256,0,0,1,4,1)"),
	B(SERVER, "227 Entering Passive Mode (0,0,0,0,4,1)"),
	B(SERVER, "227 Entering Passive Mode (255,255,255,255,4,1)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,0,0)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1000)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,-1)"),
	B(SERVER, "227 Entering Passive Mode (+10,0,0,1,4,1)"),
	B(SERVER, "227 Entering Passive Mode -10,0,0,1,4,1"),
	B(SERVER, "227 Entering Passive Mode (10.0.0.1,4,1)"),
	B(SERVER, "227 Mode 2 (10,0,0,1,4,1)"),
	B(SERVER, "227 =10,0,0,1,4,1,"),
	B(SERVER, "227 =10,0,0,1,4,"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1\0)"),
	B(SERVER, "227 Entering\0 Passive Mode (10,0,0,1,4,1)"),
	B(SERVER, "227 Entering Passive Mode (10,0,0,1,4,1).\0"),
	B(SERVER, "500 '227 Entering Passive Mode (10,0,0,1,4,1)': command not understood"),
	B(SERVER, "500 227 Entering Passive Mode (10,0,0,1,4,1)"),
	/* 229. */
	B(SERVER, "229 Entering Extended Passive Mode (|||6446|"),
	B(SERVER, "229 (||6446|)"),
	B(SERVER, "229 (|||6446)"),
	B(SERVER, "229 (||||6446|)"),
	B(SERVER, "229 (11164461)"),
	B(SERVER, "229 (   6446 )"),
	B(SERVER, "229 (|||0|)"),
	B(SERVER, "229 (|||00000|)"),
	B(SERVER, "229 (|||65536|)"),
	B(SERVER, "229 (|||123456|)"),
	B(SERVER, "229 (|||-1|)"),
	B(SERVER, "229 (|||+6446|)"),
	B(SERVER, "229 (|!|6446|)"),
	B(SERVER, "229 (|||6446!)"),
	B(SERVER, "229 (|||6446| )"),
	B(SERVER, "229 (|||64 46|)"),
	B(SERVER, "229 (||||)"),
	B(SERVER, "229 (|||)"),
	B(SERVER, "229 ("),
	B(SERVER, "229 ()"),
	B(SERVER, "229 (|1|6446|)"),
	B(SERVER, "229 Entering Extended Passive Mode |||6446|"),
	B(SERVER, "229 x (bad) (|||6446|)"),
	B(SERVER, "229 (\177\177\1776446\177)"),
	B(SERVER, "229 (\200\200\2006446\200)"),
	B(SERVER, "229 (|||64\00046|)"),
	B(SERVER, "229 (|||6446|)\0"),
	B(SERVER, " 229 (|||6446|)"),
	B(SERVER, "2290 (|||6446|)"),
	B(SERVER, "229(|||6446|)"),
};

/* Parses a heap copy of exactly len bytes (none at all for len 0). */
static bool parse_exact(struct kunit *test, const char *line, size_t len,
			bool client, struct nfvs_ftp_match *m)
{
	char *copy = NULL;
	bool found;

	if (len) {
		copy = kmemdup(line, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copy);
	}
	found = nfvs_ftp_parse_line(copy, len, client, m);
	kfree(copy);
	return found;
}

static void expect_same(struct kunit *test, const struct nfvs_ftp_match *got,
			const struct nfvs_ftp_match *want, const char *line)
{
	KUNIT_EXPECT_EQ_MSG(test, got->cmd, want->cmd, "%s", line);
	KUNIT_EXPECT_EQ_MSG(test, got->addr, want->addr, "%s", line);
	KUNIT_EXPECT_EQ_MSG(test, got->port, want->port, "%s", line);
	KUNIT_EXPECT_EQ_MSG(test, got->off, want->off, "%s", line);
	KUNIT_EXPECT_EQ_MSG(test, got->len, want->len, "%s", line);
}

static struct nfvs_ftp_match expected(const struct good_line *g)
{
	return (struct nfvs_ftp_match) {
		.cmd = g->cmd,
		.addr = htonl(g->addr),
		.port = htons(g->port),
		.off = strstr(g->line, g->text) - g->line,
		.len = strlen(g->text),
	};
}

static void good_lines_match(struct kunit *test)
{
	const struct good_line *g;
	struct nfvs_ftp_match m, want;

	for (g = good_lines; g < good_lines + ARRAY_SIZE(good_lines); g++) {
		want = expected(g);
		KUNIT_EXPECT_TRUE_MSG(test, parse_exact(test, g->line, g->len,
							g->client, &m),
				      "%s", g->line);
		expect_same(test, &m, &want, g->line);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(g->line + m.off, g->text, m.len), 0,
				    "%s", g->line);
		/* Commands count from the client only, replies from the server. */
		KUNIT_EXPECT_FALSE_MSG(test, parse_exact(test, g->line, g->len,
							 !g->client, &m),
				       "%s", g->line);
		KUNIT_EXPECT_EQ(test, m.cmd, NFVS_FTP_NONE);
	}
}

static void bad_lines_rejected(struct kunit *test)
{
	const struct bad_line *b;
	struct nfvs_ftp_match m;

	for (b = bad_lines; b < bad_lines + ARRAY_SIZE(bad_lines); b++) {
		KUNIT_EXPECT_FALSE_MSG(test, parse_exact(test, b->line, b->len,
							 b->client, &m),
				       "%s (%zu bytes)", b->line, b->len);
		KUNIT_EXPECT_EQ(test, m.cmd, NFVS_FTP_NONE);
		KUNIT_EXPECT_EQ(test, m.port, 0);
	}
}

/*
 * Every prefix of a good line: no prefix that ends before the address text
 * does may match, except where cutting digits off the last number of a
 * PORT or of a 227 without parentheses leaves a complete line of its own;
 * a prefix that ends after it matches as the whole line does.
 */
static void good_line_prefixes(struct kunit *test)
{
	const struct good_line *g;
	struct nfvs_ftp_match m, want;
	size_t n, end;

	for (g = good_lines; g < good_lines + ARRAY_SIZE(good_lines); g++) {
		bool open_end;

		want = expected(g);
		end = want.off + want.len;
		open_end = g->cmd == NFVS_FTP_PORT ||
			   (g->cmd == NFVS_FTP_PASV && g->line[want.off - 1] != '(');
		for (n = 0; n < g->len; n++) {
			if (!parse_exact(test, g->line, n, g->client, &m))
				continue;
			if (n >= end) {
				expect_same(test, &m, &want, g->line);
				continue;
			}
			KUNIT_EXPECT_TRUE_MSG(test, open_end, "%s: prefix %zu matches",
					      g->line, n);
			KUNIT_EXPECT_EQ_MSG(test, m.off + m.len, n, "%s", g->line);
			KUNIT_EXPECT_EQ_MSG(test, m.addr, want.addr, "%s", g->line);
			KUNIT_EXPECT_NE_MSG(test, m.port, want.port, "%s", g->line);
		}
		/* The same prefixes from the other side never match. */
		for (n = 0; n <= g->len; n++)
			KUNIT_EXPECT_FALSE(test, parse_exact(test, g->line, n,
							     !g->client, &m));
	}
}

/* Prefixes of the bad lines, both ways: only KASAN has a say. */
static void bad_line_prefixes(struct kunit *test)
{
	const struct bad_line *b;
	struct nfvs_ftp_match m;
	size_t n;

	for (b = bad_lines; b < bad_lines + ARRAY_SIZE(bad_lines); b++) {
		for (n = 0; n < b->len; n++) {
			parse_exact(test, b->line, n, CLIENT, &m);
			parse_exact(test, b->line, n, SERVER, &m);
		}
	}
}

/* NFVS_FTP_LINE_MAX bytes is the longest line that can match. */
static void line_max(struct kunit *test)
{
	static const char port[] = "PORT 10,0,0,1,4,1";
	char *line = kunit_kmalloc(test, NFVS_FTP_LINE_MAX + 1, GFP_KERNEL);
	struct nfvs_ftp_match m;

	KUNIT_ASSERT_NOT_NULL(test, line);
	memset(line, ' ', NFVS_FTP_LINE_MAX + 1);
	memcpy(line, port, sizeof(port) - 1);
	KUNIT_EXPECT_TRUE(test, parse_exact(test, line, NFVS_FTP_LINE_MAX - 1,
					    CLIENT, &m));
	KUNIT_EXPECT_TRUE(test, parse_exact(test, line, NFVS_FTP_LINE_MAX,
					    CLIENT, &m));
	KUNIT_EXPECT_EQ(test, m.off, 5);
	KUNIT_EXPECT_FALSE(test, parse_exact(test, line, NFVS_FTP_LINE_MAX + 1,
					     CLIENT, &m));
}

/* A tiny deterministic generator: the same lines on every run. */
static u32 lcg_next(u32 *state)
{
	*state = *state * 1664525 + 1013904223;
	return *state >> 8;
}

/*
 * A good line with 0 to 3 bytes replaced, inserted or deleted, mostly
 * bytes that mean something to the parser.
 */
static size_t fuzz_line(u32 *seed, char *buf, size_t size, bool *client)
{
	static const char bytes[] = "0123456789,,..||  ()!-+#\0\r\n\x80\x7f";
	const struct good_line *g = &good_lines[lcg_next(seed) %
						ARRAY_SIZE(good_lines)];
	unsigned int edits = lcg_next(seed) % 4;
	size_t len = g->len, at;
	char c;

	memcpy(buf, g->line, len);
	*client = g->client;
	while (edits-- && len && len < size) {
		at = lcg_next(seed) % len;
		c = lcg_next(seed) % 4 ? bytes[lcg_next(seed) % (sizeof(bytes) - 1)] :
					 lcg_next(seed);
		switch (lcg_next(seed) % 3) {
		case 0:
			buf[at] = c;
			break;
		case 1:
			memmove(buf + at + 1, buf + at, len++ - at);
			buf[at] = c;
			break;
		default:
			memmove(buf + at, buf + at + 1, --len - at);
			break;
		}
	}
	return len;
}

/* What the address text must say for the match to be right. */
static void check_fuzz_match(struct kunit *test, const char *line, size_t len,
			     const struct nfvs_ftp_match *m)
{
	u32 nums[7], n = 0, v = 0, addr = ntohl(m->addr);
	unsigned int want = m->cmd == NFVS_FTP_EPSV ? 1 :
			    m->cmd == NFVS_FTP_EPRT ? 4 : 6;
	const char *p = line + m->off, *e = p + m->len;
	bool in_number = false;

	KUNIT_ASSERT_LE(test, (size_t)m->off + m->len, len);
	KUNIT_ASSERT_GT(test, m->len, 0);
	KUNIT_EXPECT_TRUE(test, isdigit(p[0]) && isdigit(e[-1]));
	KUNIT_EXPECT_NE(test, m->port, 0);
	for (; p <= e; p++) {
		if (p < e && isdigit(*p)) {
			v = v * 10 + *p - '0';
			in_number = true;
			continue;
		}
		if (in_number && n < ARRAY_SIZE(nums))
			nums[n++] = v;
		in_number = false;
		v = 0;
		if (p < e)
			KUNIT_EXPECT_TRUE(test, m->cmd == NFVS_FTP_EPRT ?
					  *p == '.' : *p == ',' || *p == ' ');
	}
	KUNIT_ASSERT_EQ(test, n, want);
	switch (m->cmd) {
	case NFVS_FTP_EPSV:
		KUNIT_EXPECT_EQ(test, m->addr, 0);
		KUNIT_EXPECT_EQ(test, ntohs(m->port), nums[0]);
		break;
	case NFVS_FTP_EPRT:
		KUNIT_EXPECT_EQ(test, addr, IP(nums[0], nums[1], nums[2], nums[3]));
		break;
	default:
		KUNIT_EXPECT_EQ(test, addr, IP(nums[0], nums[1], nums[2], nums[3]));
		KUNIT_EXPECT_EQ(test, ntohs(m->port), nums[4] << 8 | nums[5]);
		break;
	}
	if (m->cmd != NFVS_FTP_EPSV)
		KUNIT_EXPECT_TRUE(test, addr && addr != U32_MAX);
}

static void fuzz_lines(struct kunit *test)
{
	unsigned int round, matches[NFVS_FTP_EPSV + 1] = {};
	struct nfvs_ftp_match m;
	u32 seed = 2428;
	char buf[96];

	for (round = 0; round < 20000; round++) {
		bool client;
		size_t len = fuzz_line(&seed, buf, sizeof(buf), &client);

		if (!parse_exact(test, buf, len, client, &m))
			continue;
		matches[m.cmd]++;
		KUNIT_EXPECT_EQ(test, client, m.cmd == NFVS_FTP_PORT ||
				m.cmd == NFVS_FTP_EPRT);
		check_fuzz_match(test, buf, len, &m);
		KUNIT_EXPECT_FALSE(test, parse_exact(test, buf, len, !client, &m));
	}
	/* The generator does reach every kind of match. */
	KUNIT_EXPECT_GT(test, matches[NFVS_FTP_PORT], 0);
	KUNIT_EXPECT_GT(test, matches[NFVS_FTP_EPRT], 0);
	KUNIT_EXPECT_GT(test, matches[NFVS_FTP_PASV], 0);
	KUNIT_EXPECT_GT(test, matches[NFVS_FTP_EPSV], 0);
	kunit_info(test, "%u PORT, %u EPRT, %u 227, %u 229 matches\n",
		   matches[NFVS_FTP_PORT], matches[NFVS_FTP_EPRT],
		   matches[NFVS_FTP_PASV], matches[NFVS_FTP_EPSV]);
}

static void format_pasv_round_trip(struct kunit *test)
{
	static const struct { u32 addr; u16 port; const char *text; } cases[] = {
		{ IP(10, 0, 0, 1), 1025, "10,0,0,1,4,1" },
		{ IP(1, 2, 3, 4), 1, "1,2,3,4,0,1" },
		{ IP(192, 168, 100, 200), 65535, "192,168,100,200,255,255" },
		{ IP(255, 255, 255, 254), 256, "255,255,255,254,1,0" },
		{ IP(0, 0, 0, 1), 21, "0,0,0,1,0,21" },
	};
	char out[32], line[64];
	struct nfvs_ftp_match m;
	size_t i, len;
	int n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__be32 addr = htonl(cases[i].addr);
		__be16 port = htons(cases[i].port);

		len = strlen(cases[i].text);
		memset(out, 'X', sizeof(out));
		n = nfvs_ftp_format_pasv(out, len, addr, port);
		KUNIT_ASSERT_EQ(test, n, (int)len);
		KUNIT_EXPECT_EQ(test, memcmp(out, cases[i].text, len), 0);
		KUNIT_EXPECT_EQ(test, out[len], 'X');
		KUNIT_EXPECT_EQ(test, nfvs_ftp_format_pasv(out, sizeof(out), addr,
							   port), n);

		n = snprintf(line, sizeof(line), "227 Entering Passive Mode (%.*s).",
			     (int)len, out);
		KUNIT_ASSERT_TRUE(test, parse_exact(test, line, n, SERVER, &m));
		KUNIT_EXPECT_EQ(test, m.addr, addr);
		KUNIT_EXPECT_EQ(test, m.port, port);
		KUNIT_EXPECT_EQ(test, m.off, 27);
		KUNIT_EXPECT_EQ(test, m.len, len);
		n = snprintf(line, sizeof(line), "PORT %.*s", (int)len, out);
		KUNIT_ASSERT_TRUE(test, parse_exact(test, line, n, CLIENT, &m));
		KUNIT_EXPECT_EQ(test, m.addr, addr);
		KUNIT_EXPECT_EQ(test, m.port, port);

		/* One byte short: an error, and nothing written. */
		memset(out, 'X', sizeof(out));
		KUNIT_EXPECT_EQ(test, nfvs_ftp_format_pasv(out, len - 1, addr, port),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, nfvs_ftp_format_pasv(NULL, 0, addr, port),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, out[0], 'X');
	}
}

/* What nfvs_ftp_feed() reported, with checks on each call. */
struct fed_line {
	char text[NFVS_FTP_LINE_MAX];
	size_t len;
	int off;
};

struct feed_log {
	struct nfvs_ftp_lines st;
	struct fed_line lines[8];
	unsigned int n;
	unsigned int stop_after;	/* 0: never stop */
	const char *seg;		/* the payload being fed */
	size_t seg_len;
	bool ptr_bad;
};

static int log_line(void *arg, const char *line, size_t len, int off)
{
	struct feed_log *log = arg;
	struct fed_line *l;

	if (len > NFVS_FTP_LINE_MAX ||
	    (off >= 0 ? off + len > log->seg_len || line != log->seg + off :
	     off != -1 || line != log->st.buf))
		log->ptr_bad = true;
	if (log->n < ARRAY_SIZE(log->lines)) {
		l = &log->lines[log->n];
		l->len = len;
		l->off = off;
		memcpy(l->text, line, min_t(size_t, len, sizeof(l->text)));
	}
	log->n++;
	return log->stop_after && log->n >= log->stop_after;
}

static void feed(struct feed_log *log, const char *data, size_t len)
{
	log->seg = data;
	log->seg_len = len;
	nfvs_ftp_feed(&log->st, data, len, log_line, log);
}

static struct feed_log *feed_log_new(struct kunit *test)
{
	struct feed_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	return log;
}

static void feed_log_reset(struct feed_log *log)
{
	memset(log, 0, sizeof(*log));
}

static void expect_line(struct kunit *test, const struct feed_log *log,
			unsigned int i, const char *text, size_t len, int off)
{
	const struct fed_line *l = &log->lines[i];

	KUNIT_ASSERT_LT(test, i, log->n);
	KUNIT_EXPECT_EQ_MSG(test, l->len, len, "line %u", i);
	if (l->len == len)
		KUNIT_EXPECT_EQ_MSG(test, memcmp(l->text, text, len), 0,
				    "line %u: %.*s", i, (int)len, l->text);
	KUNIT_EXPECT_EQ_MSG(test, l->off, off, "line %u", i);
}

/*
 * A payload's lines, and where each starts and ends ('\n' included): the
 * expected off of a line is its start in the segment that holds its '\n',
 * or -1 when it began in an earlier one.
 */
static const char two_lines[] =
	"PORT 10,0,0,1,4,1\r\n227 Entering Passive Mode (10,0,0,1,4,1).\n";
#define LINE1_LEN 17
#define LINE2_START 19
#define LINE2_LEN 41

static int split_off(size_t start, size_t nl, const size_t *cuts, size_t ncuts)
{
	size_t seg = 0, i;

	for (i = 0; i < ncuts; i++)
		if (cuts[i] <= nl)
			seg = cuts[i];
	return start >= seg ? start - seg : -1;
}

static void feed_cut(struct feed_log *log, const char *data, size_t len,
		     const size_t *cuts, size_t ncuts)
{
	size_t from = 0, i;

	for (i = 0; i < ncuts; i++) {
		feed(log, data + from, cuts[i] - from);
		from = cuts[i];
	}
	feed(log, data + from, len - from);
}

static void check_two_lines(struct kunit *test, struct feed_log *log,
			    const size_t *cuts, size_t ncuts)
{
	size_t len = sizeof(two_lines) - 1;

	feed_log_reset(log);
	feed_cut(log, two_lines, len, cuts, ncuts);
	KUNIT_EXPECT_EQ(test, log->n, 2);
	KUNIT_EXPECT_FALSE(test, log->ptr_bad);
	if (log->n != 2)
		return;
	expect_line(test, log, 0, two_lines, LINE1_LEN,
		    split_off(0, LINE1_LEN + 1, cuts, ncuts));
	expect_line(test, log, 1, two_lines + LINE2_START, LINE2_LEN,
		    split_off(LINE2_START, len - 1, cuts, ncuts));
	KUNIT_EXPECT_EQ(test, log->st.len, 0);
	KUNIT_EXPECT_FALSE(test, log->st.cr);
}

static void feed_split_everywhere(struct kunit *test)
{
	struct feed_log *log = feed_log_new(test);
	size_t len = sizeof(two_lines) - 1, cuts[2], i;

	KUNIT_ASSERT_EQ(test, two_lines[LINE1_LEN], '\r');
	KUNIT_ASSERT_EQ(test, two_lines[LINE2_START + LINE2_LEN], '\n');
	check_two_lines(test, log, NULL, 0);
	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		check_two_lines(test, log, cuts, 1);
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++)
			check_two_lines(test, log, cuts, 2);
	}

	/* One byte per segment: every line began in an earlier one. */
	feed_log_reset(log);
	for (i = 0; i < len; i++)
		feed(log, two_lines + i, 1);
	KUNIT_ASSERT_EQ(test, log->n, 2);
	expect_line(test, log, 0, two_lines, LINE1_LEN, -1);
	expect_line(test, log, 1, two_lines + LINE2_START, LINE2_LEN, -1);
}

struct ends_case {
	const char *segs[4];	/* fed in turn */
	const char *lines[4];	/* what is reported */
};

static const struct ends_case ends_cases[] = {
	{ { "a\nb\r\nc\r\r\n\n" }, { "a", "b", "c\r", "" } },
	{ { "x\ry\n" }, { "x\ry" } },
	{ { "x\r", "y\n" }, { "x\ry" } },
	{ { "ab\r", "\n" }, { "ab" } },
	{ { "ab\r", "\r\n" }, { "ab\r" } },
	{ { "ab\r", "\r", "\n" }, { "ab\r" } },
	{ { "\r", "\n", "\r\n" }, { "", "" } },
	{ { "a", "", "b\n" }, { "ab" } },
	{ { "no end" }, { NULL } },
	{ { "\n\n" }, { "", "" } },
	{ { "\r" }, { NULL } },
	{ { "500 '\r227 (6,6,6,6,6,6)'\r\n" }, { "500 '\r227 (6,6,6,6,6,6)'" } },
};

static void feed_line_ends(struct kunit *test)
{
	struct feed_log *log = feed_log_new(test);
	const struct ends_case *c;
	unsigned int i;

	for (c = ends_cases; c < ends_cases + ARRAY_SIZE(ends_cases); c++) {
		feed_log_reset(log);
		for (i = 0; i < ARRAY_SIZE(c->segs) && c->segs[i]; i++)
			feed(log, c->segs[i], strlen(c->segs[i]));
		for (i = 0; i < ARRAY_SIZE(c->lines) && c->lines[i]; i++) {
			KUNIT_ASSERT_LT_MSG(test, i, log->n, "case %s",
					    c->segs[0]);
			KUNIT_EXPECT_EQ(test, log->lines[i].len,
					strlen(c->lines[i]));
			KUNIT_EXPECT_EQ_MSG(test, memcmp(log->lines[i].text,
							 c->lines[i],
							 log->lines[i].len), 0,
					    "case %s", c->segs[0]);
		}
		KUNIT_EXPECT_EQ_MSG(test, log->n, i, "case %s", c->segs[0]);
		KUNIT_EXPECT_FALSE(test, log->ptr_bad);
	}
}

static const char port_line[] = "PORT 10,0,0,1,4,1\r\n";

/* 64 KB of one line, fed chunk by chunk, then a PORT: only the PORT. */
static void feed_long_line(struct kunit *test)
{
	static const size_t chunks[] = { 1, 7, 255, 256, 257, 1000, 4096 };
	const size_t total = 64 * 1024;
	struct feed_log *log = feed_log_new(test);
	char *chunk = kunit_kmalloc(test, 4096, GFP_KERNEL);
	char *big = kunit_kmalloc(test, total + sizeof(port_line), GFP_KERNEL);
	size_t i, fed;

	KUNIT_ASSERT_NOT_NULL(test, chunk);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(chunk, 'A', 4096);
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		feed_log_reset(log);
		for (fed = 0; fed < total; fed += chunks[i])
			feed(log, chunk, min(chunks[i], total - fed));
		KUNIT_EXPECT_EQ(test, log->n, 0);
		KUNIT_EXPECT_TRUE(test, log->st.skipping);
		feed(log, "\r\n", 2);
		feed(log, port_line, sizeof(port_line) - 1);
		KUNIT_ASSERT_EQ(test, log->n, 1);
		expect_line(test, log, 0, port_line, 17, 0);
	}

	/* The same in one segment. */
	memset(big, 'A', total);
	big[total - 1] = '\n';
	memcpy(big + total, port_line, sizeof(port_line) - 1);
	feed_log_reset(log);
	feed(log, big, total + sizeof(port_line) - 1);
	KUNIT_ASSERT_EQ(test, log->n, 1);
	expect_line(test, log, 0, port_line, 17, total);
}

/*
 * The tail of a line too long to keep never passes for a line of its own,
 * whatever the segment boundaries, stopping or not.
 */
static void feed_long_line_tail(struct kunit *test)
{
	static const char tail[] = "PORT 6,6,6,6,6,6\r\n";
	static const size_t heads[] = { 255, 256, 257, 300 };
	struct feed_log *log = feed_log_new(test);
	char *head = kunit_kmalloc(test, 2 + 300, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, head);
	memset(head, 'A', 2 + 300);
	for (i = 0; i < ARRAY_SIZE(heads); i++) {
		feed_log_reset(log);
		feed(log, head, heads[i]);
		feed(log, tail, sizeof(tail) - 1);
		feed(log, port_line, sizeof(port_line) - 1);
		/* Even 255 + 16 bytes is too long for one line. */
		KUNIT_ASSERT_EQ(test, log->n, 1);
		expect_line(test, log, 0, port_line, 17, 0);

		/* Same with a '\r' at the end of the first segment. */
		feed_log_reset(log);
		feed(log, head, heads[i]);
		feed(log, "\r", 1);
		feed(log, tail, sizeof(tail) - 1);
		KUNIT_EXPECT_EQ(test, log->n, 0);
	}

	/* A stop does not lose track of where lines begin: "A\n" stops the
	 * reports, the line of 300 bytes after it is still too long.
	 */
	head[1] = '\n';
	feed_log_reset(log);
	log->stop_after = 1;
	feed(log, head, 2 + 300);
	log->stop_after = 0;
	feed(log, tail, sizeof(tail) - 1);
	KUNIT_EXPECT_EQ(test, log->n, 1);
}

/*
 * The boundary: a line of NFVS_FTP_LINE_MAX bytes (line end not counted)
 * is reported, one byte more is not, with either line end and wherever
 * the segments are cut.
 */
static void feed_line_max(struct kunit *test)
{
	static const char next[] = "NEXT\n";
	struct feed_log *log = feed_log_new(test);
	size_t size = NFVS_FTP_LINE_MAX + 2 + sizeof(next);
	char *data = kunit_kmalloc(test, size, GFP_KERNEL);
	size_t n, crlf, len, cut, i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (n = NFVS_FTP_LINE_MAX - 1; n <= NFVS_FTP_LINE_MAX + 1; n++) {
		for (crlf = 0; crlf <= 1; crlf++) {
			bool fits = n <= NFVS_FTP_LINE_MAX;

			memset(data, 'x', n);
			len = n;
			if (crlf)
				data[len++] = '\r';
			data[len++] = '\n';
			memcpy(data + len, next, sizeof(next) - 1);
			len += sizeof(next) - 1;
			for (cut = 0; cut <= len; cut++) {
				feed_log_reset(log);
				feed(log, data, cut);
				feed(log, data + cut, len - cut);
				KUNIT_ASSERT_EQ_MSG(test, log->n, fits ? 2 : 1,
						    "%zu bytes, cut at %zu", n, cut);
				if (fits)
					expect_line(test, log, 0, data, n,
						    split_off(0, n + crlf, &cut, 1));
				expect_line(test, log, fits, "NEXT", 4,
					    split_off(n + crlf + 1, len - 1, &cut, 1));
			}
			feed_log_reset(log);
			for (i = 0; i < len; i++)
				feed(log, data + i, 1);
			KUNIT_EXPECT_EQ(test, log->n, fits ? 2 : 1);
			KUNIT_EXPECT_FALSE(test, log->ptr_bad);
		}
	}
}

/* fn stops the reports of a payload; the next payload goes on. */
static void feed_stop(struct kunit *test)
{
	struct feed_log *log = feed_log_new(test);

	log->stop_after = 1;
	feed(log, "A\nB\nPAR", 7);
	KUNIT_EXPECT_EQ(test, log->n, 1);
	log->stop_after = 0;
	feed(log, "T\nC\n", 4);
	KUNIT_ASSERT_EQ(test, log->n, 3);
	expect_line(test, log, 0, "A", 1, 0);
	expect_line(test, log, 1, "PART", 4, -1);
	expect_line(test, log, 2, "C", 1, 2);

	feed_log_reset(log);
	log->stop_after = 2;
	feed(log, "X", 1);
	feed(log, "Y\nZ\nW\n", 6);
	KUNIT_ASSERT_EQ(test, log->n, 2);
	expect_line(test, log, 0, "XY", 2, -1);
	expect_line(test, log, 1, "Z", 1, 2);
}

/* The packet path as it will be: feed, then parse each line. */
struct feed_parse {
	struct nfvs_ftp_lines st;
	bool client;
	const char *seg;
	struct nfvs_ftp_match found[4];
	unsigned int n;
	bool text_bad;
};

static int parse_fed_line(void *arg, const char *line, size_t len, int off)
{
	struct feed_parse *fp = arg;
	struct nfvs_ftp_match m;

	if (!nfvs_ftp_parse_line(line, len, fp->client, &m))
		return 0;
	/* A whole line: the address text is at off + m.off in the payload. */
	if (off >= 0 && line != fp->seg + off)
		fp->text_bad = true;
	if (fp->n < ARRAY_SIZE(fp->found))
		fp->found[fp->n] = m;
	fp->n++;
	return 0;
}

static void feed_and_parse(struct kunit *test, struct feed_parse *fp,
			   const char *data, size_t len, bool client,
			   unsigned int want)
{
	size_t cut;

	for (cut = 0; cut <= len; cut++) {
		memset(fp, 0, sizeof(*fp));
		fp->client = client;
		fp->seg = data;
		nfvs_ftp_feed(&fp->st, data, cut, parse_fed_line, fp);
		fp->seg = data + cut;
		nfvs_ftp_feed(&fp->st, data + cut, len - cut, parse_fed_line, fp);
		KUNIT_EXPECT_EQ_MSG(test, fp->n, want, "cut at %zu", cut);
		KUNIT_EXPECT_FALSE(test, fp->text_bad);
	}
}

static void feed_then_parse(struct kunit *test)
{
	static const char client[] =
		"USER x\r\nPORT 10,0,0,1,4,1\r\nSTOR a PORT 6,6,6,6,6,6\r\n"
		"EPRT |1|10.0.0.2|2000|\r\n";
	static const char server[] =
		"500 '\r227 (6,6,6,6,6,6)'\r\n"
		"227 Entering Passive Mode (10,0,0,1,4,1).\r\n"
		"500 'x\n229 (|||666|)'\r\n";
	struct feed_parse *fp = kunit_kzalloc(test, sizeof(*fp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fp);
	feed_and_parse(test, fp, client, sizeof(client) - 1, CLIENT, 2);
	KUNIT_EXPECT_EQ(test, fp->found[0].cmd, NFVS_FTP_PORT);
	KUNIT_EXPECT_EQ(test, fp->found[1].cmd, NFVS_FTP_EPRT);
	KUNIT_EXPECT_EQ(test, fp->found[1].addr, htonl(IP(10, 0, 0, 2)));
	/* The server's lines: the echo of a client's bare '\r' is not a line
	 * start; a '\n' is, and a server that echoes one opens the hole itself.
	 */
	feed_and_parse(test, fp, server, sizeof(server) - 1, SERVER, 2);
	KUNIT_EXPECT_EQ(test, fp->found[0].cmd, NFVS_FTP_PASV);
	KUNIT_EXPECT_EQ(test, fp->found[1].cmd, NFVS_FTP_EPSV);
}

/* What nfvs_ftp_stream_feed() reported. */
struct stream_log {
	struct nfvs_ftp_stream st;
	struct {
		char text[32];
		size_t len;
		int off;
		bool fresh;
	} l[8];
	unsigned int n;
};

static int stream_line(void *arg, const char *line, size_t len, int off,
		       bool fresh)
{
	struct stream_log *log = arg;

	if (log->n < ARRAY_SIZE(log->l)) {
		memcpy(log->l[log->n].text, line, min(len, sizeof(log->l[0].text)));
		log->l[log->n].len = len;
		log->l[log->n].off = off;
		log->l[log->n].fresh = fresh;
	}
	log->n++;
	return 0;
}

static struct stream_log *stream_log_new(struct kunit *test)
{
	struct stream_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	return log;
}

static void stream(struct stream_log *log, u32 seq, const char *data)
{
	log->n = 0;
	nfvs_ftp_stream_feed(&log->st, seq, data, strlen(data), stream_line, log);
}

static void expect_stream(struct kunit *test, const struct stream_log *log,
			  unsigned int i, const char *text, int off, bool fresh)
{
	KUNIT_ASSERT_LT(test, i, log->n);
	KUNIT_EXPECT_EQ_MSG(test, log->l[i].len, strlen(text), "line %u", i);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(log->l[i].text, text, strlen(text)), 0,
			    "line %u", i);
	KUNIT_EXPECT_EQ_MSG(test, log->l[i].off, off, "line %u", i);
	KUNIT_EXPECT_EQ_MSG(test, log->l[i].fresh, fresh, "line %u", i);
}

/* The segment just fed gave one line, as expected. */
static void expect_one(struct kunit *test, const struct stream_log *log,
		       const char *text, int off, bool fresh)
{
	KUNIT_EXPECT_EQ(test, log->n, 1U);
	expect_stream(test, log, 0, text, off, fresh);
}

/* In order the lines are fresh; sent again, they are read again, not fresh. */
static void stream_again(struct kunit *test)
{
	struct stream_log *log = stream_log_new(test);

	stream(log, 1000, "227 A\r\n");
	expect_one(test, log, "227 A", 0, true);
	stream(log, 1000, "227 A\r\n");
	expect_one(test, log, "227 A", 0, false);
	KUNIT_EXPECT_EQ(test, log->st.next_seq, 1007U);
}

/*
 * A segment sent again with new bytes after the old (a retransmission
 * that TCP coalesced with what followed): the new lines are fresh, at
 * their place in the segment, and reading goes on after them; a line that
 * began in the old bytes ends in the new ones whole.
 */
static void stream_overlap(struct kunit *test)
{
	struct stream_log *log = stream_log_new(test);

	stream(log, 1000, "USER a\r\n");
	stream(log, 1000, "USER a\r\nPASV x\r\n");
	KUNIT_EXPECT_EQ(test, log->n, 2U);
	expect_stream(test, log, 0, "USER a", 0, false);
	expect_stream(test, log, 1, "PASV x", 8, true);
	KUNIT_EXPECT_EQ(test, log->st.next_seq, 1016U);
	stream(log, 1016, "PORT 1");
	KUNIT_EXPECT_EQ(test, log->n, 0U);
	stream(log, 1016, "PORT 1,2\r\nNOOP\r\n");
	KUNIT_EXPECT_EQ(test, log->n, 2U);
	expect_stream(test, log, 0, "PORT 1,2", -1, true);
	expect_stream(test, log, 1, "NOOP", 10, true);
	stream(log, 1032, "QUIT\r\n");
	expect_one(test, log, "QUIT", 0, true);
}

/*
 * After a gap the segment's lines from its first line end on are read
 * (fresh); the line the gap cut is lost; the missing bytes, when they
 * come, are read as sent again.
 */
static void stream_gap(struct kunit *test)
{
	struct stream_log *log = stream_log_new(test);

	stream(log, 1000, "A\r\n");
	stream(log, 1100, "tail\r\nB\r\n");
	expect_one(test, log, "B", 6, true);
	KUNIT_EXPECT_EQ(test, log->st.next_seq, 1109U);
	stream(log, 1003, "C\r\n");
	expect_one(test, log, "C", 0, false);
	stream(log, 1109, "D\r\n");
	expect_one(test, log, "D", 0, true);
}

static struct kunit_case nfvs_ftp_parse_cases[] = {
	KUNIT_CASE(good_lines_match),
	KUNIT_CASE(bad_lines_rejected),
	KUNIT_CASE(good_line_prefixes),
	KUNIT_CASE(bad_line_prefixes),
	KUNIT_CASE(line_max),
	KUNIT_CASE(fuzz_lines),
	KUNIT_CASE(format_pasv_round_trip),
	KUNIT_CASE(feed_split_everywhere),
	KUNIT_CASE(feed_line_ends),
	KUNIT_CASE(feed_long_line),
	KUNIT_CASE(feed_long_line_tail),
	KUNIT_CASE(feed_line_max),
	KUNIT_CASE(feed_stop),
	KUNIT_CASE(feed_then_parse),
	KUNIT_CASE(stream_again),
	KUNIT_CASE(stream_overlap),
	KUNIT_CASE(stream_gap),
	{}
};

static struct kunit_suite nfvs_ftp_parse_suite = {
	.name = "nfvs_ftp_parse",
	.test_cases = nfvs_ftp_parse_cases,
};

kunit_test_suites(&nfvs_ftp_parse_suite);
