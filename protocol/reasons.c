/*
 * protocol/reasons.c
 *    The registry of refusal reasons (see reasons.h): the table generated
 *    from protocol/reasons.txt, and look-ups in it.
 */
#include "protocol/reasons.h"

#include <string.h>

static const struct eb_reason table[] = {
#include "reasons_table.inc"
};

#define NREASONS (sizeof(table) / sizeof(table[0]))

/*
 * Linear: a few hundred short strcmp()s, on a failure only (a refusal
 * costs a parse and a signature check before it; measured negligible).
 */
const struct eb_reason *
eb_reason_find(const char *token)
{
	size_t i;

	if (token == NULL)
		return NULL;
	for (i = 0; i < NREASONS; i++)
		if (strcmp(table[i].token, token) == 0)
			return &table[i];
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
