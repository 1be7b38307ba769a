/*
 * protocol/buf.h
 *    A growable byte buffer with a hard maximum (no unbounded growth).
 *
 * Owns its bytes; eb_buf_free() releases them (NULL-safe).  Every append
 * fails with EB_ERR_LIMIT rather than grow past 'max'.  The data is always
 * followed by a NUL byte that is not counted in 'len', so text can be
 * used as a C string.
 *
 * Pure: libc only.  Linked by engine/core.
 */
#ifndef EB_BUF_H
#define EB_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define EB_BUF_DEFAULT_MAX ((size_t)64 << 20)

struct eb_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;     /* 0 means EB_BUF_DEFAULT_MAX */
};

#define EB_BUF_INIT { NULL, 0, 0, 0 }

int eb_buf_append(struct eb_buf *b, const void *p, size_t n) EB_MUSTCHECK;
int eb_buf_puts(struct eb_buf *b, const char *s) EB_MUSTCHECK;
int eb_buf_printf(struct eb_buf *b, const char *fmt, ...)
    EB_PRINTF(2, 3) EB_MUSTCHECK;
/* Append 'n' bytes as lower-case hex. */
int eb_buf_hex(struct eb_buf *b, const uint8_t *p, size_t n) EB_MUSTCHECK;
/* Keep the allocation, drop the contents. */
void eb_buf_reset(struct eb_buf *b);
/* Free the bytes; the struct may be reused after it. */
void eb_buf_free(struct eb_buf *b);
/* Hand the bytes to the caller (free() them); the buffer becomes empty. */
uint8_t *eb_buf_steal(struct eb_buf *b, size_t *len);
/* The contents as a C string ("" when empty); borrowed. */
const char *eb_buf_str(const struct eb_buf *b);

#endif
