/*
 * protocol/reasons.h
 *    The registry of refusal reasons: every stable reason token a failure
 *    can carry, the HTTP status it is answered with and what it means.
 *
 *    The one source is protocol/reasons.txt (token, status, meaning, in
 *    sections); tools/cmake/reasons.cmake makes it the table protocol/reasons.c
 *    compiles and the page docs/reasons.md at build time.  CTest
 *    reason_registry checks that every token the sources give or match is
 *    registered, that every registered one is given somewhere, and that a
 *    literal EB_ERR_* code beside a token has the registry's status;
 *    reasons_doc checks docs/reasons.md.
 *
 * Pure: libc only (a constant table, and an index of it sorted once
 * by pthread_once for the look-up).  Part of eb_base.
 *
 * INTERFACE
 *    eb_reason_find()  - a token's registry entry, or NULL
 *    eb_reason_count() - number of registered tokens
 *    eb_reason_at()    - the i-th entry, in registry order
 */
#ifndef EB_REASONS_H
#define EB_REASONS_H

#include <stddef.h>

struct eb_reason {
	const char *token;    /* "not-allowed-in-state" */
	const char *code;     /* eb_strerror() names of the codes the call
	                         sites pass, ',' between them; "-": any */
	int status;           /* HTTP status, 400..599; 0: the code's */
	const char *section;  /* the registry's section heading */
	const char *meaning;  /* one line */
};

const struct eb_reason *eb_reason_find(const char *token);
size_t eb_reason_count(void);
const struct eb_reason *eb_reason_at(size_t i);

#endif
