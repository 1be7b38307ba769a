/*
 * protocol/mem.c
 *    Allocate or report and abort: see mem.h.
 */
#include "protocol/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fail_after = -1;        /* eb_mem_fail_after() */

void
eb_mem_fail_after(long n)
{
	fail_after = n;
}

/* 1 when the injected failure is due (tests only; see mem.h). */
static int
injected(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void
eb_oom(const char *what, size_t n)
{
	/* no allocation here: stderr is unbuffered */
	fprintf(stderr, "ebid: out of memory allocating %zu bytes (%s)\n", n,
	    what != NULL ? what : "?");
	abort();
}

void *
eb_malloc(size_t n)
{
	void *p = injected() ? NULL : malloc(n ? n : 1);

	if (p == NULL)
		eb_oom("malloc", n);
	return p;
}

void *
eb_calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		eb_oom("calloc overflow", SIZE_MAX);
	p = injected() ? NULL : calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		eb_oom("calloc", n * size);
	return p;
}

void *
eb_realloc(void *p, size_t n)
{
	void *q = injected() ? NULL : realloc(p, n ? n : 1);

	if (q == NULL)
		eb_oom("realloc", n);
	return q;
}

char *
eb_strdup(const char *s)
{
	return eb_memdup(s, strlen(s) + 1);
}

char *
eb_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = eb_malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *
eb_memdup(const void *p, size_t n)
{
	void *q = eb_malloc(n);

	if (n != 0)
		memcpy(q, p, n);
	return q;
}
