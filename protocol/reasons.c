/*
 * protocol/reasons.c
 *    The registry of refusal reasons (see reasons.h): the table generated
 *    from protocol/reasons.txt, and look-ups in it.
 */
#include "protocol/reasons.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct eb_reason table[] = {
#include "reasons_table.inc"
};

#define NREASONS (sizeof(table) / sizeof(table[0]))

/*
 * By binary search over the tokens in strcmp() order, an index made once
 * (pthread_once): the hot race refuses most requests (stale prices), and
 * each refusal's eb_error_status() looked its token up; the linear walk
 * over the ~500 tokens was 0.9 % of ebidd's CPU there (issue 17, eighth
 * pass, perf of run 20261207T084700Z).  The table stays in registry
 * order for eb_reason_at().
 */
static const struct eb_reason *sorted[NREASONS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int
by_token(const void *a, const void *b)
{
	const struct eb_reason *const *x = a, *const *y = b;

	return strcmp((*x)->token, (*y)->token);
}

static void
sort_tokens(void)
{
	size_t i;

	for (i = 0; i < NREASONS; i++)
		sorted[i] = &table[i];
	qsort(sorted, NREASONS, sizeof(sorted[0]), by_token);
}

const struct eb_reason *
eb_reason_find(const char *token)
{
	size_t lo = 0, hi = NREASONS;

	if (token == NULL)
		return NULL;
	pthread_once(&sorted_once, sort_tokens);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(token, sorted[mid]->token);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t
eb_reason_count(void)
{
	return NREASONS;
}

const struct eb_reason *
eb_reason_at(size_t i)
{
	return i < NREASONS ? &table[i] : NULL;
}
