/*
 * tests/unit/randtree.h
 *    Random XML trees (struct eb_doc) for the unit tests that compare a
 *    direct canonical writer with libxml2's C14N (test_replyxml,
 *    test_audit_canon).  Strings mix plain bytes, the characters XML
 *    escapes, UTF-8 of 2 to 4 bytes, and, when asked, characters XML does
 *    not allow; names come from a fixed list that includes reserved
 *    ("xml...") ones.  A fixed xorshift generator: every run draws the same
 *    trees, so a failure replays.
 *
 * INTERFACE: eb_rt_rnd, eb_rt_string, eb_rt_tree (test code only; the
 *    trees are the caller's, freed with eb_doc_free).
 */
#ifndef EB_TESTS_RANDTREE_H
#define EB_TESTS_RANDTREE_H

#include <stddef.h>

#include "protocol/xml.h"

/* A number in [0, n) (n > 0). */
unsigned eb_rt_rnd(unsigned n);

/* A NUL-terminated random string of at most cap - 1 bytes into s. */
void eb_rt_string(char *s, size_t cap, int allow_bad);

/* A random tree at most 'depth' levels below its root. */
struct eb_doc *eb_rt_tree(unsigned depth, int allow_bad);

#endif
