/*
 * protocol/xml.h
 *    The XML codec: untrusted bytes -> validated eb_doc, and eb_doc -> the
 *    XML that crosses the wire.  All messages live in one namespace,
 *    EB_XML_NS, and are described by protocol/xsd/ebid.xsd (which includes
 *    one .xsd per message family).
 *
 * Parsing rules (docs/engineering-notes.md, XML): hard limits on size,
 * depth, elements, attributes per element, namespace declarations, nodes and
 * text length checked by a linear pre-scan before libxml2 parses (and
 * depth and elements again during parsing); no network, no DTD
 * (a document with any DOCTYPE is refused), no entity substitution, an
 * external-entity loader that refuses everything; then validation against
 * the compiled schema; then conversion to an eb_doc with local names.
 *
 * Owns: struct eb_schema (eb_schema_free()).  eb_xml_init() once per
 * process before any thread starts.
 */
#ifndef EB_XML_H
#define EB_XML_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/err.h"

#define EB_XML_NS "urn:ebid:1"

/*
 * Bounds on one document, checked by a linear pre-scan of the bytes
 * BEFORE libxml2 sees them (libxml2's parse is quadratic in attributes
 * per element: docs/engineering-notes.md, attacks), and again for depth
 * and elements during the parse.  A field of 0 means its default.  Callers
 * may list only the first fields: the rest are 0, the defaults.
 */
struct eb_xml_limits {
	size_t max_bytes;      /* default 4 MiB */
	unsigned max_depth;    /* default 32 */
	size_t max_elements;   /* default 100000 */
	unsigned max_attributes; /* per element, xmlns not counted; default 64 */
	unsigned max_namespaces; /* xmlns declarations in the document; 16 */
	size_t max_nodes;      /* elements + attributes + xmlns + text runs +
	                          comments + PIs + CDATA; default 4 x
	                          max_elements */
	size_t max_text;       /* bytes of one text run, attribute value,
	                          comment or PI; default max_bytes */
	int raise_shapes;      /* 1: the schema is protocol/xsd/ebid.xsd, and
	                          a raise (quote, auction-bid) of the plain
	                          shape below is taken as valid without
	                          libxml2's XSD run (xml.c, "the raises'
	                          shape"); 0 (default): every document is
	                          validated */
};

/*
 * Tests: documents of this thread that skipped the XSD run by the
 * raises' shape (raise_shapes above).
 */
extern _Thread_local unsigned long eb_xml_shape_skips;

struct eb_schema;

void eb_xml_init(void);

/*
 * Compile the schema whose top file is 'xsd_path' (its includes are read
 * from the same folder, at start-up only).  NULL with 'err' on failure.
 */
struct eb_schema *eb_schema_load(const char *xsd_path, struct eb_error *err);
void eb_schema_free(struct eb_schema *s);

/*
 * Parse and validate 'len' bytes.  'limits' NULL means the defaults;
 * 'schema' NULL skips validation (only for our own, already-trusted
 * documents).  On EB_OK *out is the tree (eb_doc_free()).  On failure
 * EB_ERR_LIMIT or EB_ERR_FORMAT with 'err' saying where (line) and what.
 * Limit reasons (EB_ERR_LIMIT): document-too-large, too-deep,
 * too-many-elements, too-many-attributes, too-many-namespaces,
 * too-many-nodes, text-too-long.
 */
int eb_xml_parse(const struct eb_schema *schema,
    const struct eb_xml_limits *limits, const uint8_t *p, size_t len,
    struct eb_doc **out, struct eb_error *err) EB_MUSTCHECK;

/*
 * Tests only: nonzero makes eb_xml_parse() give every document of at most
 * 4 MiB to libxml2's push parser in pieces of this many bytes, the path it
 * takes by itself for text with long ASCII after non-ASCII (xml.c, "in
 * pieces"); 0 (the default) lets it choose.
 */
extern unsigned eb_xml_pieces;

/*
 * Opt-in, before eb_schema_load() (ebidd, which reads 100 KiB sealed
 * bids and opens them; the opening bench): the schema is compiled a
 * second time without the maxLength facets of at least 131,072
 * characters, and a document of 16 KiB to L bytes is validated against
 * that compile (L the smallest facet left out: such a document cannot
 * reach one), which libxml2 would check by counting every character
 * (xml.c, struct eb_schema).  Same result, same first error.  The
 * second compile is lazy: eb_schema_load() keeps the files' texts
 * (about 300 KB) and the first such document compiles them, in memory
 * (no file opened), on the thread that parses it: 20-80 ms and 3.7 MiB
 * that an idle ebidd does not pay; meanwhile, and if it fails, documents
 * are validated against the first compile.  The short-lived tools (ebid,
 * ebid-audit), whose documents are small, leave it off.
 */
void eb_xml_lean_schema(int on);
/*
 * Tests only: nonzero validates every document against the schema as
 * published even when the lean compile was made.
 */
extern int eb_xml_no_long_schema;
/* The L above for 's' (0: no facet left out, no lean compile asked, or
 * it failed: one compile only). */
size_t eb_schema_long_min(const struct eb_schema *s);
/* Tests: 1 once the second compile is made (a document needed it). */
int eb_schema_lean_compiled(const struct eb_schema *s);

/*
 * Opt-in, once, before threads start (ebid-audit verify: tens of
 * thousands of small documents per thread): each thread keeps the parser
 * context of its last clean parse (one read in one call, well-formed, no
 * limit hit) for its next, so that libxml2 does not build a context and
 * its dictionary for every document (xml.c, "parser contexts kept per
 * thread"; a context is renewed every 4,096 parses).  Same checks and
 * results.  eb_xml_release_contexts(): free this thread's kept context
 * (threads that exit free theirs themselves).  ebidd does not use it.
 */
void eb_xml_reuse_contexts(int on);
void eb_xml_release_contexts(void);

/*
 * Parse an <events> tree as the log stores it: the canonical bytes of
 * protocol/doc.h (no declaration, no namespace), written by the core and
 * read back by ebidd (folding), ebid-audit (--db) and the exports.  The
 * root gets EB_XML_NS; no schema; limits sized for a whole opening record
 * (1 GiB, depth 64, 50 million elements).  EB_ERR_FORMAT with reason
 * "bad-stored-events" when the bytes are not an <events> tree.
 */
int eb_xml_parse_stored_events(const uint8_t *p, size_t len,
    struct eb_doc **out, struct eb_error *err) EB_MUSTCHECK;

/*
 * Only the pre-scan of eb_xml_parse(): EB_OK when 'p' stays within
 * 'limits' (NULL: the defaults), else EB_ERR_LIMIT (or EB_ERR_FORMAT
 * "dtd-not-allowed") with 'err'.  Linear in 'len'; does not check
 * well-formedness (libxml2 does that afterwards).
 */
int eb_xml_prescan(const struct eb_xml_limits *limits, const uint8_t *p,
    size_t len, struct eb_error *err) EB_MUSTCHECK;

/*
 * Write 'd' as an XML document: declaration, the EB_XML_NS namespace on
 * the root, the canonical form otherwise (protocol/doc.h).  With 'pretty'
 * nonzero, indented for a person to read (not for hashing).
 */
int eb_xml_write(const struct eb_doc *d, int pretty, struct eb_buf *out)
    EB_MUSTCHECK;

/* The length (2 to 4) of the UTF-8 sequence at 'p' when it is one XML 1.0
 * character above ASCII (shortest form, no surrogate, no U+FFFE/FFFF),
 * else 0: what eb_xml_write and the reply writer accept. */
size_t eb_xml_utf8_char(const unsigned char *p);
/* 1 when 's' is an ASCII XML name without ':' (every ebid name), else 0. */
int eb_xml_name_ok(const char *s);

/*
 * The canonical form (C14N 1.0, what eb_xml_write and the canonicaliser
 * give) of element 'd' written straight from the tree, without libxml2:
 * 'ns', when not NULL, as the root's xmlns; no declaration.  For the
 * trees whose every name passes eb_xml_name_ok, attributes sorted by name
 * (none named xml*), no mixed content, text and values UTF-8 of XML
 * characters, at most EB_XML_DIRECT_DEPTH levels; anything else is
 * EB_ERR_FORMAT, with part of the element already in 'out' (the caller
 * cuts it back and asks libxml2).  Used by ebidd's replies (replyxml.c)
 * and ebid-audit's entry hash (tools/audit_canon.c); their tests compare
 * it with libxml2 on random trees.
 */
#define EB_XML_DIRECT_DEPTH 256
int eb_xml_write_direct(const struct eb_doc *d, const char *ns,
    struct eb_buf *out) EB_MUSTCHECK;
/* The same for the start tag of 'd' alone ("<name xmlns ATTRS>"): a
 * caller that writes the children itself (the audit's entry head). */
int eb_xml_write_direct_start(const struct eb_doc *d, const char *ns,
    struct eb_buf *out) EB_MUSTCHECK;

#endif
