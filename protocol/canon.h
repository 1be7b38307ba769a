/*
 * protocol/canon.h
 *    The canonical form of a document tree: W3C Canonical XML 1.0
 *    (https://www.w3.org/TR/2001/REC-xml-c14n-20010315, without comments),
 *    produced by libxml2's own implementation (xmlC14NDocDumpMemory with
 *    XML_C14N_1_0).  It is the one producer of every byte ebid hashes or
 *    compares: log entries and their events (protocol/entry.h), the
 *    digests the core records (rules, steps, the committee's result) and,
 *    with the namespace on the root, what eb_xml_write() sends.
 *
 * How a tree becomes bytes: the eb_doc tree (protocol/doc.h) is built as a
 * libxml2 tree -- elements, attributes through xmlSetProp and text through
 * xmlNewDocTextLen, so every escape is libxml2's -- with, when 'ns' is
 * given, that namespace as the root's default namespace (inherited by
 * every element); then canonicalised.  For our trees (no comments, PIs,
 * DTD, xml:* attributes or prefixes) C14N 1.0 and Exclusive C14N 1.0 give
 * the same bytes; 1.0 is chosen because `xmllint --c14n` and every XML
 * security library implement it (docs/audit.md "The canonical form").
 *
 * Pretty mode (eb_canon_pretty) adds indentation text nodes before
 * canonicalising: for people, never hashed.
 *
 * libxml2's tree API and C14N only (no parser: untrusted bytes never come
 * here); pure computation, safe in engine/core.  Aborts on out-of-memory
 * like the tree builders (protocol/mem.h).
 */
#ifndef EB_CANON_H
#define EB_CANON_H

#include "protocol/buf.h"
#include "protocol/doc.h"

/* Canonical bytes of 'd' appended to 'out'; 'ns' NULL: no namespace. */
int eb_canon(const struct eb_doc *d, const char *ns, struct eb_buf *out)
    EB_MUSTCHECK;

/* The same with indentation (two spaces a level) for a person to read. */
int eb_canon_pretty(const struct eb_doc *d, const char *ns,
    struct eb_buf *out) EB_MUSTCHECK;

#endif
