/*
 * protocol/doc.h
 *    The plain document tree: what crosses from the XML codec into the core.
 *
 * An eb_doc is an element: a name, attributes, an optional text and child
 * elements (no mixed content, no namespaces: the XML codec checks the
 * namespace against the XSD and hands over local names).  Commands arrive
 * in the core as eb_doc trees and events leave it as eb_doc trees, so
 * engine/core never sees libxml2.
 *
 * The canonical form (eb_doc_serialize) is what gets hashed and compared
 * on replay: W3C Canonical XML 1.0 of the tree without a namespace,
 * produced by libxml2 (protocol/canon.h; docs/audit.md says it byte by
 * byte): no XML declaration, attributes sorted by name, no whitespace
 * between elements, an empty element written as <a></a>, the escapes of
 * C14N (&amp; &lt; &quot; &#x9; &#xA; &#xD; in attributes; &amp; &lt;
 * &gt; &#xD; in text).  Two equal trees give the same bytes on every
 * machine.
 *
 * Text held as bytes (eb_doc_set_b64): an element whose text is the
 * base64 of some bytes (RFC 4648, no line breaks) may hold the bytes
 * instead, and its text is then made only when it is written or read:
 * the opening's record holds each opened bid's inner SignedData so
 * (105 KB of DER a 100 KiB bid instead of 139 KB of base64, and no
 * encoding while the bids are opened: docs/performance.md, "Issue 17,
 * tenth pass").  Such an element is the same tree as the one with the
 * text: its canonical form, eb_xml_write(), eb_doc_equal(), eb_doc_clone()
 * and eb_doc_text() give what they give for the text.  eb_doc_text() makes
 * the text once and keeps it beside the bytes (safe from several threads
 * reading one tree at once); the writers make it as they write, and keep
 * nothing.  A tree parsed from XML never holds bytes.
 *
 * Ownership: a tree owns its children, attributes and strings;
 * eb_doc_free() frees the whole subtree (NULL-safe).  Builders abort the
 * process on out-of-memory (as Redis' zmalloc does): a tree is small and
 * per request, and checking every builder call would bury the rules.
 *
 * Pure: libc, and libxml2's tree and C14N for the canonical form (no
 * parsing).  Linked by engine/core.
 */
#ifndef EB_DOC_H
#define EB_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct eb_attr {
	char *name;
	char *value;
	struct eb_attr *next;
};

struct eb_doc {
	char *name;
	/* NULL when the element has no text, or has it as bytes not yet
	 * read (bin): use eb_doc_text(), or eb_doc_b64() first */
	char *text;
	struct eb_attr *attrs;      /* kept sorted by name */
	struct eb_doc *parent;
	struct eb_doc *first, *last, *next;
	uint8_t *bin;               /* the text as bytes (eb_doc_set_b64) */
	size_t binlen;
};

/* -- building (abort on out-of-memory) --------------------------------- */

/* A new element with no parent; free with eb_doc_free(). */
struct eb_doc *eb_doc_new(const char *name);
void eb_doc_free(struct eb_doc *d);
/* A new child appended to 'parent'; owned by the parent. */
struct eb_doc *eb_doc_add(struct eb_doc *parent, const char *name);
/* A new child with text; returns it. */
struct eb_doc *eb_doc_add_text(struct eb_doc *parent, const char *name,
    const char *text);
/* Append 'child' (takes ownership; it must have no parent). */
void eb_doc_append(struct eb_doc *parent, struct eb_doc *child);
/* Detach 'child' from its parent; the caller then owns it. */
void eb_doc_detach(struct eb_doc *child);
/* A deep copy. */
struct eb_doc *eb_doc_clone(const struct eb_doc *d);
/* Set (or replace) an attribute; value NULL removes it. */
void eb_doc_set_attr(struct eb_doc *d, const char *name, const char *value);
void eb_doc_set_attrf(struct eb_doc *d, const char *name, const char *fmt,
    ...) EB_PRINTF(3, 4);
void eb_doc_set_attr_i64(struct eb_doc *d, const char *name, int64_t v);
/* Set the text ('text' NULL removes it). */
void eb_doc_set_text(struct eb_doc *d, const char *text);
/*
 * Set the text to the base64 of bytes[0..n), holding the bytes (taken:
 * malloc'd, freed with the tree) instead of the text (see above).  n = 0:
 * no text (the empty base64), and 'bytes' is freed.
 */
void eb_doc_set_b64(struct eb_doc *d, uint8_t *bytes, size_t n);

/* -- reading ----------------------------------------------------------- */

/* Attribute value or NULL; borrowed from the tree. */
const char *eb_doc_attr(const struct eb_doc *d, const char *name);
/*
 * Attribute as a decimal int64 (optional leading '-', digits only, no
 * spaces).  Returns EB_OK, EB_ERR_NOTFOUND when absent, EB_ERR_FORMAT
 * when not a number or out of range.
 */
int eb_doc_attr_i64(const struct eb_doc *d, const char *name, int64_t *v);
/* Text or "" when none; borrowed.  Text held as bytes is made here,
 * once (see above). */
const char *eb_doc_text(const struct eb_doc *d);
/* The bytes of text held as bytes (eb_doc_set_b64), or NULL; borrowed. */
const uint8_t *eb_doc_b64(const struct eb_doc *d, size_t *n);
/* First child named 'name' (any child when 'name' is NULL), or NULL. */
struct eb_doc *eb_doc_child(const struct eb_doc *d, const char *name);
/* The next sibling named 'name' (any when NULL) after 'c', or NULL. */
struct eb_doc *eb_doc_next(const struct eb_doc *c, const char *name);
/* Text of the first child named 'name', or NULL when there is none. */
const char *eb_doc_child_text(const struct eb_doc *d, const char *name);
/* Text of the first child named 'name' as int64 (as eb_doc_attr_i64). */
int eb_doc_child_i64(const struct eb_doc *d, const char *name, int64_t *v);
/* Number of children named 'name' (all when NULL). */
size_t eb_doc_count(const struct eb_doc *d, const char *name);
/* Follow a path of child names separated by '/', e.g. "rules/ceiling". */
struct eb_doc *eb_doc_path(const struct eb_doc *d, const char *path);

/* Canonical bytes of the subtree appended to 'out' (see above). */
int eb_doc_serialize(const struct eb_doc *d, struct eb_buf *out) EB_MUSTCHECK;
/* 1 when the two trees have the same canonical form, else 0. */
int eb_doc_equal(const struct eb_doc *a, const struct eb_doc *b);

/* Parse a strict decimal int64 (see eb_doc_attr_i64). */
int eb_parse_i64(const char *s, int64_t *v);

#define eb_doc_foreach(c, parent, nm) \
	for ((c) = eb_doc_child((parent), (nm)); (c) != NULL; \
	    (c) = eb_doc_next((c), (nm)))

#endif
