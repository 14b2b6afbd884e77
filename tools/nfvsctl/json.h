/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON output: one document per command, written as it goes. Members take
 * a key inside objects and NULL inside arrays.
 */
#ifndef NFVSCTL_JSON_H
#define NFVSCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>

void json_object_begin(const char *key);
void json_object_end(void);
void json_array_begin(const char *key);
void json_array_end(void);
void json_string(const char *key, const char *value);
void json_uint(const char *key, uint64_t value);
void json_int(const char *key, int64_t value);
void json_bool(const char *key, bool value);
void json_null(const char *key);
void json_done(void);

#endif
