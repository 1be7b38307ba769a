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
	char *text;                 /* NULL when the element has no text */
	struct eb_attr *attrs;      /* kept sorted by name */
	struct eb_doc *parent;
	struct eb_doc *first, *last, *next;
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

/* -- reading ----------------------------------------------------------- */

/* Attribute value or NULL; borrowed from the tree. */
const char *eb_doc_attr(const struct eb_doc *d, const char *name);
/*
 * Attribute as a decimal int64 (optional leading '-', digits only, no
 * spaces).  Returns EB_OK, EB_ERR_NOTFOUND when absent, EB_ERR_FORMAT
 * when not a number or out of range.
 */
int eb_doc_attr_i64(const struct eb_doc *d, const char *name, int64_t *v);
/* Text or "" when none; borrowed. */
const char *eb_doc_text(const struct eb_doc *d);
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
