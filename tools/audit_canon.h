/*
 * tools/audit_canon.h
 *    An entry's hash for `ebid-audit verify` without libxml2's tree and
 *    C14N per entry (issue 17, fifth pass), and a cheap test of two event
 *    trees' equality for the replay.
 *
 * The chain hashes the canonical bytes of
 *    <entry ATTRS><events>...</events></entry>
 * (protocol/entry.h), where the <events> part is exactly the bytes ebidd
 * stored in log.events (engine/server/commands.c: eb_doc_serialize of the
 * same tree).  So, from the database, the entry's bytes are
 *    "<entry ATTRS>" + STORED + "</entry>"
 * -- provided STORED is the canonical form of the tree it parses to (the
 * tree the replay uses).  That is checked, never assumed: the tree is
 * written again by a direct writer (below) and compared byte for byte;
 * when the writer cannot vouch for a tree or the bytes differ, libxml2's
 * C14N of the tree (eb_canon) decides.  Stored bytes that are not the
 * canonical form of their content are refused (*noncanon set): a
 * database row changed after ebidd wrote it.
 *
 * From an export (no stored bytes) the events part is the direct
 * writer's output, or eb_canon's when the writer cannot vouch.
 *
 * The direct writer gives byte for byte what eb_canon(d, NULL) gives
 * (W3C C14N 1.0 by libxml2: attributes in the tree's order, which must be
 * strictly ascending; <a></a>; &amp; &lt; &quot; &#x9; &#xA; &#xD; in
 * attribute values, &amp; &lt; &gt; &#xD; in text) for every tree in its
 * domain, and refuses (EB_ERR_FORMAT, the caller falls back) every other:
 * a name that is not an ASCII XML name, an attribute named xml*,
 * attributes not strictly ascending, a value or text that is not UTF-8 of
 * XML characters, text beside child elements.  tests/unit/test_audit_canon.c
 * compares the two on many random trees and on every entry of a log.
 *
 * The start tag "<entry ATTRS>" is written from eb_entry_doc() itself (its
 * events left out), so the hashed fields stay protocol/entry.c's.
 *
 * INTERFACE
 *    eb_audit_canon_write()  - the direct writer
 *    eb_audit_entry_hash()   - the entry's hash, from stored bytes or not
 *    eb_audit_doc_same()     - 1 when two trees are equal (eb_doc_equal's
 *                              verdict, cheaply when they are identical)
 */
#ifndef EB_AUDIT_CANON_H
#define EB_AUDIT_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/entry.h"
#include "protocol/hash.h"

/*
 * The canonical bytes of 'd' (no namespace) appended to 'out': EB_OK, or
 * EB_ERR_FORMAT when 'd' is outside the writer's domain (see above;
 * 'out' then holds a partial form: cut it back), or EB_ERR_LIMIT.
 */
int eb_audit_canon_write(const struct eb_doc *d, struct eb_buf *out)
    EB_MUSTCHECK;

/*
 * hash = eb_chain_link(prev, e->seq, canonical(e)), equal to
 * eb_entry_hash(e, prev, hash), with 'stored' (len bytes; NULL: none) the
 * bytes the database holds for e->events.  *noncanon is set to 1 (and
 * EB_OK returned, 'hash' zeroed) when 'stored' is not the canonical form
 * of e->events.
 */
int eb_audit_entry_hash(const struct eb_entry *e, const uint8_t *stored,
    size_t len, const uint8_t prev[EB_SHA256_LEN],
    uint8_t hash[EB_SHA256_LEN], int *noncanon) EB_MUSTCHECK;

/* eb_doc_equal(a, b): identical trees at once, any other by eb_doc_equal. */
int eb_audit_doc_same(const struct eb_doc *a, const struct eb_doc *b);

#endif
