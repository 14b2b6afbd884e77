// SPDX-License-Identifier: GPL-2.0
/*
 * A small streaming JSON writer: a stack of "has a member been written"
 * flags puts the commas; strings are escaped as RFC 8259 asks.
 */
#include <stdio.h>

#include "json.h"

#define JSON_DEPTH	16

static bool json_started[JSON_DEPTH];
static int json_depth;

static void json_key(const char *key)
{
	const unsigned char *c;

	if (json_depth > 0) {
		if (json_started[json_depth - 1])
			putchar(',');
		json_started[json_depth - 1] = true;
	}
	if (!key)
		return;
	putchar('"');
	for (c = (const unsigned char *)key; *c; c++)
		putchar(*c);
	fputs("\":", stdout);
}

static void json_open(const char *key, char bracket)
{
	json_key(key);
	putchar(bracket);
	if (json_depth < JSON_DEPTH)
		json_started[json_depth] = false;
	json_depth++;
}

static void json_close(char bracket)
{
	json_depth--;
	putchar(bracket);
}

void json_object_begin(const char *key)
{
	json_open(key, '{');
}

void json_object_end(void)
{
	json_close('}');
}

void json_array_begin(const char *key)
{
	json_open(key, '[');
}

void json_array_end(void)
{
	json_close(']');
}

void json_string(const char *key, const char *value)
{
	const unsigned char *c;

	json_key(key);
	if (!value) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (c = (const unsigned char *)value; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

void json_uint(const char *key, uint64_t value)
{
	json_key(key);
	printf("%llu", (unsigned long long)value);
}

void json_int(const char *key, int64_t value)
{
	json_key(key);
	printf("%lld", (long long)value);
}

void json_bool(const char *key, bool value)
{
	json_key(key);
	fputs(value ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	json_key(key);
	fputs("null", stdout);
}

/* Ends the document. */
void json_done(void)
{
	putchar('\n');
}
