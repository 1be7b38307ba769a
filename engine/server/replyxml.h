/*
 * engine/server/replyxml.h
 *    The bytes of a reply document, written straight from the eb_doc tree
 *    (http.c's eb_reply_doc): the XML declaration, then the tree in the
 *    canonical form with the namespace on its root -- byte for byte what
 *    eb_xml_write(d, 0, out) gives through libxml2's tree and C14N
 *    (protocol/canon.h), without building that tree.  The log's
 *    canonical bytes (eb_replyxml_events, below) are libxml2's C14N,
 *    written by the same writer where it vouches.  The writer itself
 *    is protocol/xml.c's eb_xml_write_direct (ebid-audit checks stored
 *    entries with it too); this module adds the declaration, the
 *    fall-back and the fixed-buffer form.
 *
 *    The form (W3C Canonical XML 1.0 of our trees): the root carries
 *    xmlns="NS" before its attributes; attributes in the tree's order,
 *    which must be strictly ascending by name (eb_doc_set_attr keeps it
 *    so); an empty element written <a></a>; the escapes &amp; &lt; &quot;
 *    &#x9; &#xA; &#xD; in attribute values and &amp; &lt; &gt; &#xD; in
 *    text.  What eb_xml_write refuses is refused here too (EB_ERR_FORMAT,
 *    nothing appended): a name that is not an ASCII XML name, an attribute
 *    named xml*, text or a value that is not UTF-8 of XML characters, text
 *    beside child elements.  A tree whose attributes are not ascending is
 *    EB_ERR_FORMAT as well: the caller then falls back to eb_xml_write.
 *
 *    Pure: libc and protocol/buf.h.  tests/unit/test_replyxml.c compares
 *    it with eb_xml_write on many trees.
 *
 *    eb_replyxml_flat() writes the same bytes for the commonest shape, one
 *    empty element with attributes only (whoami), from arrays into the
 *    caller's buffer: no tree, no allocation.
 *
 * INTERFACE
 *    eb_replyxml_write() - declaration + canonical namespaced XML of 'd'
 *    eb_replyxml_flat()  - the same for one element of attributes only
 *    eb_replyxml_events(), eb_replyxml_entry_hash() - an accepted
 *        command's <events> bytes and entry hash (below)
 */
#ifndef EB_SERVER_REPLYXML_H
#define EB_SERVER_REPLYXML_H

#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/entry.h"

/*
 * Appends to 'out'.  Returns EB_OK, EB_ERR_FORMAT (see above; nothing
 * appended) or EB_ERR_LIMIT from 'out' (a partial document may remain).
 */
int eb_replyxml_write(const struct eb_doc *d, const char *ns,
    struct eb_buf *out) EB_MUSTCHECK;

/*
 * What eb_replyxml_write gives for an element 'elem' with no text and no
 * children whose attributes are names[i] = values[i] (i < n, 'names'
 * strictly ascending), written into out[0..cap) (NUL-terminated).
 * Returns the length, or 0 when eb_replyxml_write would refuse that tree
 * or return EB_ERR_FORMAT (a name, a value, a NULL value, names not
 * ascending) or when the document does not fit 'cap': the caller then
 * builds the tree and goes the usual way.
 */
size_t eb_replyxml_flat(char *out, size_t cap, const char *elem,
    const char *ns, const char *const *names, const char *const *values,
    size_t n);

/*
 * The log's bytes of an accepted command (commands.c job_decide), the
 * same bytes as before without building libxml2's tree twice per entry
 * (issue 17, tenth pass):
 *
 * eb_replyxml_events() appends the canonical bytes of an <events> tree
 * as the log stores them, eb_doc_serialize()'s (libxml2's C14N, no
 * namespace): written by eb_xml_write_direct when it vouches for the
 * tree, else (EB_ERR_FORMAT: nothing of it kept) by eb_doc_serialize.
 * Other codes are out's (EB_ERR_LIMIT past out->max).
 *
 * eb_replyxml_entry_hash() is eb_entry_hash(e, prev, hash) for an entry
 * whose events' canonical bytes are events_bytes[0..len) (what
 * eb_replyxml_events gave for e->events): the start tag <entry ATTRS>
 * of eb_entry_doc() (its events left out) by the direct writer, those
 * bytes, "</entry>" -- the composition ebid-audit checks stored rows
 * with (tools/audit_canon.c); eb_entry_hash() whole when the writer
 * cannot vouch for the start tag.  tests/unit/test_replyxml.c compares
 * both with eb_doc_serialize / eb_entry_hash on random trees and entries.
 */
int eb_replyxml_events(const struct eb_doc *events, struct eb_buf *out)
    EB_MUSTCHECK;
int eb_replyxml_entry_hash(const struct eb_entry *e,
    const uint8_t *events_bytes, size_t len,
    const uint8_t prev[EB_SHA256_LEN], uint8_t hash[EB_SHA256_LEN])
    EB_MUSTCHECK;

#endif
