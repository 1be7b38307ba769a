/*
 * protocol/buf.c
 *    Bounded growable buffer: see buf.h.
 */
#include "buf.h"
#include "protocol/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
reserve(struct eb_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : EB_BUF_DEFAULT_MAX;
	size_t need, cap;

	if (extra > max || b->len > max - extra)
		return EB_ERR_LIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return EB_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > max + 1)
		cap = max + 1;
	b->data = eb_realloc(b->data, cap);
	b->cap = cap;
	return EB_OK;
}

int
eb_buf_append(struct eb_buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = reserve(b, n)) != EB_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return EB_OK;
}

int
eb_buf_puts(struct eb_buf *b, const char *s)
{
	return eb_buf_append(b, s, strlen(s));
}

int
eb_buf_printf(struct eb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EB_ERR_INTERNAL;
	if ((rc = reserve(b, (size_t)n)) != EB_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return EB_OK;
}

int
eb_buf_hex(struct eb_buf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;
	int rc;

	if (n > SIZE_MAX / 2)
		return EB_ERR_LIMIT;
	if ((rc = reserve(b, n * 2)) != EB_OK)
		return rc;
	for (i = 0; i < n; i++) {
		b->data[b->len++] = (uint8_t)digits[p[i] >> 4];
		b->data[b->len++] = (uint8_t)digits[p[i] & 15];
	}
	b->data[b->len] = '\0';
	return EB_OK;
}

void
eb_buf_reset(struct eb_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
eb_buf_free(struct eb_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

uint8_t *
eb_buf_steal(struct eb_buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *
eb_buf_str(const struct eb_buf *b)
{
	return b->data != NULL ? (const char *)b->data : "";
}
