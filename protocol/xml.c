/*
 * protocol/xml.c
 *    The XML codec: untrusted bytes -> validated eb_doc, and eb_doc -> the
 *    XML that crosses the wire (contract in protocol/xml.h).
 *
 * Owner: the XML/protocol engineer.  Rules in protocol/README.md, the
 * message families in docs/xml.md, the libxml2 facts in
 * docs/engineering-notes.md, XML.
 *
 * How a document is read (eb_xml_parse), in this order:
 *    1. size: more than limits->max_bytes is refused before libxml2 sees a
 *       byte ("document-too-large").
 *    2. parse with xmlCtxtReadMemory(NONET | NOERROR | NOWARNING |
 *       IGNORE_ENC) only:
 *       never NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE.  The encoding is
 *       forced to UTF-8 (a declared encoding is ignored).  Two SAX hooks
 *       on our own parser context enforce the rest DURING parsing, so a
 *       hostile document never becomes a big tree:
 *         - internalSubset: any <!DOCTYPE stops the parser before its
 *           internal subset is read ("dtd-not-allowed"), so no entity is
 *           ever declared: XXE, billion laughs and external DTDs all end
 *           here.  doc->intSubset/extSubset are checked again afterwards.
 *         - startElementNs: counts depth and elements and stops the parser
 *           past the limits ("too-deep", "too-many-elements").
 *       A document whose text runs on in ASCII after non-ASCII goes to
 *       the push parser in pieces instead, with the same options, forced
 *       encoding and hooks ("in pieces" below: libxml2 2.9 reads the rest
 *       of such a text 5-7x slower per byte in one call).
 *       libxml2's errors, namespace errors included (nsWellFormed), are
 *       caught by a per-thread structured handler installed for the call
 *       and restored afterwards ("malformed").
 *    3. the root element must be in EB_XML_NS ("wrong-namespace").
 *    4. XSD validation with a fresh validation context per call against
 *       the shared compiled schema; the first error's line and message go
 *       into the detail ("schema-invalid").  With eb_xml_lean_schema(1),
 *       a document of 16 KiB to 256 KiB is validated against a second
 *       compile without the long texts' maxLength facets, which it cannot
 *       reach, made when the first such document comes (struct
 *       eb_schema).
 *    5. conversion to an eb_doc: local names, attributes without namespace
 *       ("namespaced-attribute"), only names eb_xml_write() can write back
 *       ("unsupported-name"), every element in EB_XML_NS
 *       ("wrong-namespace"), text of leaf elements kept as is, whitespace
 *       between child elements dropped, other text beside child elements
 *       refused ("mixed-content"), comments and PIs dropped.
 *
 * External entities: eb_xml_init() installs a loader that refuses every
 * URL and file.  The one exception is eb_schema_load(): for the duration of
 * that call a thread-local pointer names the schema's folder and the loader
 * then opens plain *.xsd files directly inside that folder (after
 * realpath(), so "../" and symbolic links out of it are refused).  The
 * lazy second compile serves only the texts that call kept, from memory.
 * Otherwise, on every thread, nothing at all is loaded.
 *
 * Threads: no mutable state of ours is shared but the lazy second compile
 * of a schema (struct eb_schema: atomics, one thread compiles it).  A
 * compiled schema is only read during validation (each call makes its
 * own validation context), so one eb_schema may serve every worker
 * thread.  eb_xml_init() must run once
 * before threads start (xmlInitParser and the loader are process-wide).
 *
 * INTERFACE
 *    eb_xml_init()     - initialise libxml2, install the deny-all loader
 *    eb_schema_load()  - compile protocol/xsd/ebid.xsd (or another top file)
 *    eb_schema_free()  - release a compiled schema (NULL-safe)
 *    eb_xml_parse()    - bytes -> validated eb_doc, or a structured error
 *    eb_xml_write()    - eb_doc -> declaration + namespaced canonical XML
 */
#include "protocol/xml.h"
#include "protocol/canon.h"
#include "protocol/hash.h"
#include "protocol/mem.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/dict.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

/* libxml2 2.9 refuses depth past 256 without XML_PARSE_HUGE: stay below. */
#define EB_XML_DEPTH_CAP 255u

#define DEFAULT_MAX_BYTES ((size_t)4 << 20)
#define DEFAULT_MAX_DEPTH 32u
#define DEFAULT_MAX_ELEMENTS ((size_t)100000)
#define DEFAULT_MAX_ATTRIBUTES 64u
#define DEFAULT_MAX_NAMESPACES 16u

/* IGNORE_ENC: a declared encoding never switches the decoder (the push
 * parser of "in pieces" would otherwise honour encoding="GBK"). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | \
    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC)

/*
 * Long texts' maxLength facets (xml.c, "the schema without the long
 * texts' lengths"): libxml2 checks xs:maxLength on a string by counting
 * its characters (xmlUTF8Strlen), a quarter of the parse + XSD of a
 * 100 KiB bid whose <technical> text is 96 KB.  A document of at most L
 * bytes holds no value of more than L characters, so every maxLength
 * facet of L or more holds for it: such documents are validated against
 * a second compile of the same files without those facets (xs_long), with
 * the same result and the same first error; longer documents against the
 * schema as published (xs).  Facets of at least EB_LONG_FACET are left
 * out; long_min is the smallest one left out.
 */
#define EB_LONG_FACET ((size_t)131072)

/* Tests only (xml.h): nonzero validates every document against the
 * schema as published. */
int eb_xml_no_long_schema;
/* eb_xml_lean_schema(): eb_schema_load() prepares the second compile */
static int lean_schema;

/*
 * The second compile is lazy (issue 17, eighth pass): it costs 3.7 MiB of
 * RSS and 20-80 ms of CPU, and an idle ebidd never needs it.
 * eb_schema_load() keeps the text of every file its compile read,
 * without the long facets (about 300 KB for ebid.xsd), and L (long_min)
 * from that text; the first document of EB_LEAN_MIN_BYTES to L bytes
 * compiles it from those texts (no file is opened: ebidd's sandbox is
 * set by then), on whichever thread parses it.  Until it is compiled, and if it does not
 * compile, documents are validated against 'xs': the same result.
 */
#define EB_LEAN_MIN_BYTES ((size_t)16384)

enum { LEAN_NONE, LEAN_PENDING, LEAN_COMPILING, LEAN_DONE };

/* one schema file as the second compile reads it */
struct lean_file {
	char *url;                   /* as the loader was asked for it */
	char *real;                  /* its path: the input's name */
	char *text;                  /* without the long facets */
};

struct eb_schema {
	xmlSchemaPtr xs;
	_Atomic(xmlSchemaPtr) xs_long;   /* NULL: none (yet) */
	size_t long_min;
	atomic_int lean;             /* LEAN_* */
	char *top;                   /* the top file, for the lazy compile */
	struct lean_file *files;     /* until the lazy compile */
	size_t nfiles;
};

/* The first error libxml2 reported during one call, and how many came. */
struct first_error {
	int count;
	int line;
	char file[128];
	char msg[512];
};

/* Per-call state of eb_xml_parse(), reached from the SAX hooks. */
struct parse_state {
	size_t max_elements;
	unsigned max_depth;
	unsigned depth;
	size_t elements;
	const char *stop_reason;     /* set by a hook that stopped the parser */
	int stop_line;
	char stop_name[64];          /* the element that went over a limit */
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
	struct first_error xerr;
};

/* The folder eb_schema_load() may read from; NULL otherwise (see above). */
static _Thread_local const char *tl_schema_dir;
/* Inside eb_schema_load(): the smallest long maxLength facet the kept
 * texts left out (SIZE_MAX: none yet). */
static _Thread_local size_t tl_stripped_min;
/* Inside eb_schema_load() with eb_xml_lean_schema(1): every file read is
 * also kept here, stripped (struct eb_schema).  Inside the lazy compile:
 * the files are served from here, by the URL the first compile asked. */
static _Thread_local struct eb_schema *tl_capture;
static _Thread_local const struct eb_schema *tl_serve;

/* -- libxml2 error capture --------------------------------------------- */

static void
copy_trimmed(char *dst, size_t cap, const char *src)
{
	size_t n;

	snprintf(dst, cap, "%s", src != NULL ? src : "(no message)");
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r' ||
	    dst[n - 1] == ' '))
		dst[--n] = '\0';
}

/* Structured error callback: keep the first error, count the rest. */
static void
on_xml_error(void *ctx, xmlErrorPtr e)
{
	struct first_error *fe = ctx;

	if (fe == NULL || e == NULL)
		return;
	if (fe->count++ > 0)
		return;
	fe->line = e->line;
	snprintf(fe->file, sizeof(fe->file), "%s",
	    e->file != NULL ? e->file : "");
	copy_trimmed(fe->msg, sizeof(fe->msg), e->message);
}

/* The per-thread structured handler in force before our call. */
struct saved_handler {
	xmlStructuredErrorFunc fn;
	void *ctx;
};

static void
handler_push(struct saved_handler *s, struct first_error *fe)
{
	s->fn = xmlStructuredError;
	s->ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(fe, on_xml_error);
}

static void
handler_pop(const struct saved_handler *s)
{
	xmlSetStructuredErrorFunc(s->ctx, s->fn);
}

/* -- external entities --------------------------------------------------- */

#define MAXLEN_OPEN "<xs:maxLength value=\""
#define MAXLEN_CLOSE "\"/>"

/*
 * Leave out of the XSD text 'p' (NUL-terminated, edited in place) every
 * facet written <xs:maxLength value="N"/> with N >= EB_LONG_FACET, noting
 * the smallest N in tl_stripped_min.  A facet written otherwise stays
 * (the second compile is then as strict as the first for it).
 */
static void
strip_long_facets(char *p)
{
	char *at = p, *v, *e;
	size_t n;

	while ((at = strstr(at, MAXLEN_OPEN)) != NULL) {
		v = at + strlen(MAXLEN_OPEN);
		n = 0;
		for (e = v; *e >= '0' && *e <= '9' && e - v < 12; e++)
			n = n * 10 + (size_t)(*e - '0');
		if (e == v || strncmp(e, MAXLEN_CLOSE, strlen(MAXLEN_CLOSE)) !=
		    0 || n < EB_LONG_FACET) {
			at = v;
			continue;
		}
		e += strlen(MAXLEN_CLOSE);
		memmove(at, e, strlen(e) + 1);
		if (n < tl_stripped_min)
			tl_stripped_min = n;
	}
}

/* The schema file 'real' without its long texts' maxLength facets
 * (NUL-terminated, the caller frees it), or NULL when it cannot be read
 * or is empty. */
static char *
read_stripped(const char *real)
{
	struct eb_buf b = EB_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(real, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (eb_buf_append(&b, chunk, n) != EB_OK)
			break;
	fclose(f);
	if (b.len == 0) {
		eb_buf_free(&b);
		return NULL;
	}
	strip_long_facets((char *)eb_buf_str(&b));
	return (char *)eb_buf_steal(&b, &n);
}

/* 'text' as the parser's input, named 'real' (so its includes resolve as
 * from the file). */
static xmlParserInputPtr
input_text(xmlParserCtxtPtr ctxt, const char *real, const char *text)
{
	xmlParserInputBufferPtr buf;
	xmlParserInputPtr in;

	/* libxml2 copies the bytes into its own buffer */
	buf = xmlParserInputBufferCreateMem(text, (int)strlen(text),
	    XML_CHAR_ENCODING_NONE);
	if (buf == NULL)
		eb_oom("xmlParserInputBufferCreateMem", 0);
	if ((in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE)) ==
	    NULL) {
		xmlFreeParserInputBuffer(buf);
		return NULL;
	}
	in->filename = (char *)xmlStrdup((const xmlChar *)real);
	return in;
}

/* eb_schema_load()'s compile read 'real' (asked for as 'url'): keep its
 * text, stripped, for the lazy second compile.  A file that cannot be
 * read again is left out: the lazy compile then fails, and every
 * document is validated against the first. */
static void
capture_file(struct eb_schema *s, const char *url, const char *real)
{
	struct lean_file *f;
	size_t i;
	char *text;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].url, url) == 0)
			return;
	if ((text = read_stripped(real)) == NULL)
		return;
	s->files = eb_realloc(s->files, (s->nfiles + 1) * sizeof(*s->files));
	f = &s->files[s->nfiles++];
	f->url = eb_strdup(url);
	f->real = eb_strdup(real);
	f->text = text;
}

/* Inside the lazy compile: the file kept for 'url' (as the first compile
 * asked for it, or its path), nothing else: no file is opened. */
static xmlParserInputPtr
input_kept(xmlParserCtxtPtr ctxt, const struct eb_schema *s, const char *url)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].url, url) == 0 ||
		    strcmp(s->files[i].real, url) == 0)
			return input_text(ctxt, s->files[i].real,
			    s->files[i].text);
	return NULL;
}

static void
free_files(struct eb_schema *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].url);
		free(s->files[i].real);
		free(s->files[i].text);
	}
	free(s->files);
	free(s->top);
	s->files = NULL;
	s->top = NULL;
	s->nfiles = 0;
}

/*
 * The process-wide external-entity loader: refuses everything unless this
 * thread is inside eb_schema_load() and 'url' names a regular *.xsd file
 * directly in the schema folder.
 */
static xmlParserInputPtr
eb_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	char real[PATH_MAX], dir[PATH_MAX];
	const char *path = url, *slash;
	size_t n, dlen;
	struct stat st;

	(void)id;
	if (tl_serve != NULL && url != NULL)
		return input_kept(ctxt, tl_serve, url);
	if (tl_schema_dir == NULL || url == NULL)
		return NULL;
	if (strncmp(path, "file://", 7) == 0) {
		path += 7;
		if (path[0] != '/')
			return NULL;
	} else if (strstr(path, "://") != NULL) {
		return NULL;
	}
	if (realpath(path, real) == NULL || realpath(tl_schema_dir, dir) == NULL)
		return NULL;
	n = strlen(real);
	dlen = strlen(dir);
	slash = strrchr(real, '/');
	if (slash == NULL || (size_t)(slash - real) != dlen ||
	    strncmp(real, dir, dlen) != 0 || n < 5 ||
	    strcmp(real + n - 4, ".xsd") != 0)
		return NULL;
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (tl_capture != NULL)
		capture_file(tl_capture, url, real);
	return xmlNewInputFromFile(ctxt, real);
}

/*
 * Initialise libxml2 and install the deny-all loader.  Returns nothing;
 * idempotent; call once before threads start.
 */
/*
 * libxml2 allocates through ebid's policy (protocol/mem.h): a failed
 * allocation reports and aborts instead of reaching libxml2 as NULL, which
 * it reports as an error of the document ("malformed", or a value "not
 * valid" in the middle of schema validation) and so would blame the sender.
 * libxml2's own XML_ERR_NO_MEMORY reports that are not allocations (a text
 * node over its size limit) stay refusals of the input.
 */
static void *
xml_malloc(size_t n)
{
	return eb_malloc(n);
}

static void *
xml_realloc(void *p, size_t n)
{
	return eb_realloc(p, n);
}

static char *
xml_strdup(const char *s)
{
	return eb_strdup(s);
}

void
eb_xml_init(void)
{
	/* before the first allocation of libxml2's own: memory it took
	 * with malloc() before (another library's use) frees the same way */
	xmlMemSetup(free, xml_malloc, xml_realloc, xml_strdup);
	xmlInitParser();
	xmlSetExternalEntityLoader(eb_entity_loader);
}

/* -- schema -------------------------------------------------------------- */

/*
 * The second compile (struct eb_schema): the files eb_schema_load() kept,
 * without the long texts' maxLength facets, read from memory only.  NULL
 * when it does not compile (every document is then validated against
 * the first).
 */
static xmlSchemaPtr
compile_without_long(const struct eb_schema *s)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr xs = NULL;
	struct first_error fe;
	struct saved_handler saved;

	memset(&fe, 0, sizeof(fe));
	handler_push(&saved, &fe);
	tl_serve = s;
	pc = xmlSchemaNewParserCtxt(s->top);
	if (pc == NULL)
		eb_oom("xmlSchemaNewParserCtxt", 0);
	xmlSchemaSetParserStructuredErrors(pc, on_xml_error, &fe);
	xs = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	tl_serve = NULL;
	handler_pop(&saved);
	return xs;
}

/*
 * The second compile for a document of 'len' bytes, compiled here on the
 * first call that needs it; NULL: validate against s->xs (no lean
 * compile, the document is too small to gain or too large for it,
 * another thread is compiling it, or it did not compile).  The schema is
 * shared read-only by every thread but for these atomics: one thread
 * compiles, the others do not wait for it.
 */
static xmlSchemaPtr
lean_for(const struct eb_schema *cs, size_t len)
{
	struct eb_schema *s = (struct eb_schema *)cs;   /* see above */
	xmlSchemaPtr xs;
	int want = LEAN_PENDING;

	if (eb_xml_no_long_schema || len > s->long_min ||
	    len < EB_LEAN_MIN_BYTES)
		return NULL;
	switch (atomic_load_explicit(&s->lean, memory_order_acquire)) {
	case LEAN_DONE:
		return atomic_load_explicit(&s->xs_long, memory_order_acquire);
	case LEAN_PENDING:
		break;
	default:
		return NULL;
	}
	if (!atomic_compare_exchange_strong(&s->lean, &want, LEAN_COMPILING))
		return NULL;
	xs = compile_without_long(s);
	free_files(s);
	atomic_store_explicit(&s->xs_long, xs, memory_order_release);
	atomic_store_explicit(&s->lean, LEAN_DONE, memory_order_release);
	return xs;
}

/*
 * Compile the schema whose top file is 'xsd_path'; includes are read from
 * its folder only.  Returns the schema (the caller owns it: eb_schema_free)
 * or NULL with 'err' filled: EB_ERR_IO "schema-not-found", EB_ERR_FORMAT
 * "schema-compile-failed" (detail: file:line: first libxml2 message).
 * Out of memory aborts (protocol/mem.h).  Calls eb_xml_init() itself;
 * start-up only.  With eb_xml_lean_schema(1) the files' texts are kept
 * for the second compile, made when a document first needs it.
 */
struct eb_schema *
eb_schema_load(const char *xsd_path, struct eb_error *err)
{
	struct eb_schema *s = NULL;
	xmlSchemaParserCtxtPtr pc = NULL;
	xmlSchemaPtr xs = NULL;
	struct first_error fe;
	struct saved_handler saved;
	char dir[PATH_MAX];
	const char *slash;
	struct stat st;

	memset(&fe, 0, sizeof(fe));
	eb_xml_init();
	if (xsd_path == NULL || stat(xsd_path, &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		eb_fail(err, EB_ERR_IO, "schema-not-found",
		    "Check that the schema folder (protocol/xsd) is installed "
		    "and the configured path names ebid.xsd in it.",
		    "cannot read the XML schema %s",
		    xsd_path != NULL ? xsd_path : "(null)");
		return NULL;
	}
	slash = strrchr(xsd_path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == xsd_path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - xsd_path),
		    xsd_path);

	s = eb_calloc(1, sizeof(*s));
	atomic_init(&s->xs_long, NULL);
	atomic_init(&s->lean, LEAN_NONE);
	handler_push(&saved, &fe);
	tl_schema_dir = dir;
	tl_capture = lean_schema ? s : NULL;
	tl_stripped_min = SIZE_MAX;
	pc = xmlSchemaNewParserCtxt(xsd_path);
	if (pc != NULL) {
		xmlSchemaSetParserStructuredErrors(pc, on_xml_error, &fe);
		xs = xmlSchemaParse(pc);
	}
	tl_capture = NULL;
	tl_schema_dir = NULL;
	handler_pop(&saved);

	if (pc == NULL)
		eb_oom("xmlSchemaNewParserCtxt", 0);
	if (xs == NULL) {
		eb_fail(err, EB_ERR_FORMAT, "schema-compile-failed",
		    "Fix the schema file named in the detail; every family "
		    "file must be a valid XSD in namespace urn:ebid:1.",
		    "cannot compile the XML schema %s", xsd_path);
		eb_error_detail(err, "%s:%d: %s (%d error(s) in all)",
		    fe.file[0] != '\0' ? fe.file : xsd_path, fe.line,
		    fe.count > 0 ? fe.msg : "unknown error", fe.count);
		free_files(s);
		free(s);
		s = NULL;
		goto out;
	}
	s->xs = xs;
	if (s->nfiles > 0 && tl_stripped_min != SIZE_MAX) {
		s->long_min = tl_stripped_min;
		s->top = eb_strdup(xsd_path);
		atomic_store(&s->lean, LEAN_PENDING);
	} else {
		free_files(s);   /* nothing left out: the same schema */
	}
out:
	xmlSchemaFreeParserCtxt(pc);
	return s;
}

/* xml.h: the smallest maxLength left out of the second compile, or 0. */
size_t
eb_schema_long_min(const struct eb_schema *s)
{
	int l;

	if (s == NULL)
		return 0;
	l = atomic_load_explicit(&((struct eb_schema *)s)->lean,
	    memory_order_acquire);
	return l == LEAN_PENDING || l == LEAN_COMPILING || (l == LEAN_DONE &&
	    atomic_load_explicit(&((struct eb_schema *)s)->xs_long,
	    memory_order_acquire) != NULL) ? s->long_min : 0;
}

/* xml.h: whether the second compile is made (tests). */
int
eb_schema_lean_compiled(const struct eb_schema *s)
{
	return s != NULL && atomic_load_explicit(&((struct eb_schema *)s)->
	    xs_long, memory_order_acquire) != NULL;
}

/* Release a compiled schema; NULL-safe. */
void
eb_schema_free(struct eb_schema *s)
{
	if (s == NULL)
		return;
	xmlSchemaFree(s->xs);
	xmlSchemaFree(atomic_load(&s->xs_long));
	free_files(s);
	free(s);
}

/* -- parsing: SAX hooks ---------------------------------------------------- */

static void
stop_parser(xmlParserCtxtPtr ctxt, struct parse_state *st, const char *reason,
    const xmlChar *name)
{
	st->stop_reason = reason;
	st->stop_line = ctxt->input != NULL ? ctxt->input->line : 0;
	snprintf(st->stop_name, sizeof(st->stop_name), "%s",
	    name != NULL ? (const char *)name : "");
	xmlStopParser(ctxt);
}

static void
hook_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	(void)ext_id;
	(void)sys_id;
	if (st->stop_reason == NULL)
		stop_parser(ctxt, st, "dtd-not-allowed", name);
}

static void
hook_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	if (st->stop_reason != NULL)
		return;
	st->depth++;
	st->elements++;
	if (st->depth > st->max_depth) {
		stop_parser(ctxt, st, "too-deep", localname);
		return;
	}
	if (st->elements > st->max_elements) {
		stop_parser(ctxt, st, "too-many-elements", localname);
		return;
	}
	st->start(ctx, localname, prefix, uri, nb_namespaces, namespaces,
	    nb_attributes, nb_defaulted, attributes);
}

static void
hook_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = ctxt->_private;

	if (st->depth > 0)
		st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/* -- parsing: in pieces --------------------------------------------------- */

/*
 * libxml2 2.9's xmlParseCharData reads a text node in bulk only while its
 * bytes are ASCII: from the first non-ASCII byte to the end of the node it
 * goes character by character (xmlParseCharDataComplex, xmlCurrentChar),
 * 5-7 times slower per byte, even through the ASCII that follows.  That
 * loop ends where the parser's input ends, and the next call starts in
 * bulk again.  So a document whose text has a non-ASCII stretch followed
 * by a long ASCII stretch is given to libxml2's push parser in pieces, cut
 * at the start of each such ASCII stretch: the same parser, hooks and
 * options, the same tree (tests/unit/test_xml.c compares both ways on
 * every kind of document), 3x faster on a 100 KiB bid whose Chinese
 * paragraph is followed by English (docs/performance.md).  Documents
 * without such a stretch, and any over PIECES_MAX_LEN (below libxml2's
 * 10,000,000-byte push look-up limit), are read in one call as before.
 */
#define PIECE_RUN 512                        /* ASCII bytes worth a cut */
/* The push parser leaves text for later while less than 300 bytes of it
 * are in (XML_PARSER_BIG_BUFFER_SIZE): a cut that close to the start of
 * a text would only delay it, so it is made this far into the run. */
#define PIECE_LEAD 320
#define PIECES_MAX_LEN ((size_t)4 << 20)

/* See xml.h: tests set it to force pieces of that size. */
unsigned eb_xml_pieces;

static int
is_markup(uint8_t c)
{
	return c == '<' || c == '>' || c == '&';
}

/* The first byte at or after 'i' with its high bit set ('len' if none),
 * eight bytes at a time: an ASCII document costs a few microseconds. */
static size_t
skip_ascii(const uint8_t *p, size_t i, size_t len)
{
	uint64_t w;

	while (len - i >= 8) {
		memcpy(&w, p + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < len && !(p[i] & 0x80))
		i++;
	return i;
}

/* The first byte at or after 'i' without its high bit ('len' if none),
 * eight bytes at a time (Chinese text is long runs of such bytes). */
static size_t
skip_high(const uint8_t *p, size_t i, size_t len)
{
	uint64_t w;

	while (len - i >= 8) {
		memcpy(&w, p + i, 8);
		if ((w & UINT64_C(0x8080808080808080)) !=
		    UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < len && (p[i] & 0x80))
		i++;
	return i;
}

/*
 * The next cut after 'from': PIECE_LEAD bytes into the first run of at
 * least PIECE_LEAD + PIECE_RUN ASCII bytes without markup ('<', '>',
 * '&') that comes right after a non-ASCII byte; 'len' when none (or when
 * the document is too large to be read in pieces).  A cut is always at an ASCII byte, so never
 * inside a UTF-8 sequence.
 */
static size_t
next_piece(const uint8_t *p, size_t from, size_t len)
{
	size_t i = from, run;

	if (len > PIECES_MAX_LEN)
		return len;
	for (;;) {
		if ((i = skip_ascii(p, i, len)) >= len)
			return len;
		i = skip_high(p, i, len);
		/* ASCII right after non-ASCII: long enough, without markup? */
		run = i;
		while (i < len && i - run < PIECE_LEAD + PIECE_RUN &&
		    !(p[i] & 0x80) && !is_markup(p[i]))
			i++;
		if (i - run >= PIECE_LEAD + PIECE_RUN)
			return run + PIECE_LEAD;
	}
}

/* xmlCtxtReadMemory's work on the push parser, 'p' cut at 'cut' and at
 * every next_piece() after it (or every eb_xml_pieces bytes). */
static xmlDocPtr
read_in_pieces(xmlParserCtxtPtr ctxt, const uint8_t *p, size_t len,
    size_t cut)
{
	size_t at = 0;
	xmlDocPtr doc;

	/* xmlCtxtReadMemory's steps: reset, options, forced encoding. */
	if (xmlCtxtResetPush(ctxt, NULL, 0, "message.xml", "UTF-8") != 0)
		eb_oom("xmlCtxtResetPush", 0);
	xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
	/* Every piece goes in, whatever a piece returned (a namespace error
	 * is not fatal: libxml2 goes on, as in one call); a parser stopped
	 * by a hook or a fatal error ignores the rest. */
	while (at < len) {
		(void)xmlParseChunk(ctxt, (const char *)p + at,
		    (int)(cut - at), 0);
		at = cut;
		cut = eb_xml_pieces > 0 ? (len - at > eb_xml_pieces ?
		    at + eb_xml_pieces : len) : next_piece(p, at, len);
	}
	(void)xmlParseChunk(ctxt, NULL, 0, 1);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	/* xmlCtxtReadMemory returns no tree for a document that is not
	 * well-formed; the caller checks wellFormed as for it. */
	if (doc != NULL && !ctxt->wellFormed) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* -- parsing: conversion ---------------------------------------------------- */


/*
 * The names ebid writes (eb_xml_write) are the names it reads: ASCII XML
 * names without ':'; an attribute may not start with "xml".
 */
static int
name_ok(const xmlChar *name, int attr)
{
	return eb_xml_name_ok((const char *)name) &&
	    !(attr && strncmp((const char *)name, "xml", 3) == 0);
}

static int
refuse_name(const xmlNode *n, const xmlChar *name, struct eb_error *err)
{
	eb_fail(err, EB_ERR_FORMAT, "unsupported-name",
	    "Use the element and attribute names of docs/xml.md: ASCII "
	    "letters, digits, '-', '_' and '.'.",
	    "document refused: the name '%.64s' is not an ebid name",
	    (const char *)name);
	eb_error_detail(err, "line %ld", xmlGetLineNo(n));
	return EB_ERR_FORMAT;
}

static int
is_xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
all_space(const xmlChar *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_xml_space(p[i]))
			return 0;
	return 1;
}

static int
in_our_ns(const xmlNode *n)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, EB_XML_NS) == 0;
}

/*
 * The raises' shape (eb_xml_limits.raise_shapes; issue 17, tenth pass).
 * In the hot race nearly every command is a raise, <auction-bid sale=ID
 * amount=N/> or <quote .../>, and libxml2's XSD run (a validation
 * context made, the tree walked, freed) was about a third of its parse.
 * For protocol/xsd/sale.xsd's two elements
 *     <xs:attribute name="sale" type="eb:id" use="required"/>
 *     <xs:attribute name="amount" type="eb:sale-positive-price"
 *         use="required"/>
 * (an empty complex type: no children, those attributes only) a root in
 * EB_XML_NS that has NO child node of any kind (no text, not even
 * white space, no comment, no PI), exactly the attributes sale and
 * amount, neither in a namespace (so no xsi:type, xsi:nil...), each one
 * plain text node, sale 1 to 64 of [A-Za-z0-9._:-] (eb:id's pattern on
 * xs:string: no white space processing), amount the digits of a number
 * from 1 to 10^15 without sign, leading zero or white space (a strict
 * subset of xs:long's lexical space within sale-positive-price's
 * bounds), is valid against that schema: the XSD run would pass.  Any
 * other document, however close, goes to the XSD run as before, so the
 * result (the tree, or the refusal and its first error) is always the
 * XSD run's.  tests/unit/test_xml.c (test_raise_shapes) checks both
 * ways on thousands of near-miss documents against ebid.xsd itself:
 * the same result and tree, and which of them took the shape.
 */
_Thread_local unsigned long eb_xml_shape_skips;

static const char *
plain_value(const xmlAttr *a)
{
	const xmlNode *t = a->children;

	if (t == NULL || t->next != NULL || t->type != XML_TEXT_NODE ||
	    t->content == NULL)
		return NULL;
	return (const char *)t->content;
}

static int
shape_id(const char *v)
{
	size_t n = 0;

	for (; v[n] != '\0'; n++) {
		unsigned char c = (unsigned char)v[n];

		if (n >= 64 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return n >= 1;
}

static int
shape_amount(const char *v)
{
	size_t n = 0;
	unsigned long long x = 0;

	if (v[0] < '1' || v[0] > '9')
		return 0;
	for (; v[n] != '\0'; n++) {
		if (n >= 16 || v[n] < '0' || v[n] > '9')
			return 0;
		x = x * 10 + (unsigned long long)(v[n] - '0');
	}
	return x <= 1000000000000000ULL;
}

static int
raise_shape(const xmlNode *root)
{
	const xmlAttr *a;
	int sale = 0, amount = 0;
	const char *v;

	if (root->type != XML_ELEMENT_NODE || root->children != NULL ||
	    (strcmp((const char *)root->name, "auction-bid") != 0 &&
	    strcmp((const char *)root->name, "quote") != 0))
		return 0;
	for (a = root->properties; a != NULL; a = a->next) {
		if (a->type != XML_ATTRIBUTE_NODE || a->ns != NULL ||
		    (v = plain_value(a)) == NULL)
			return 0;
		if (strcmp((const char *)a->name, "sale") == 0 && !sale &&
		    shape_id(v))
			sale = 1;
		else if (strcmp((const char *)a->name, "amount") == 0 &&
		    !amount && shape_amount(v))
			amount = 1;
		else
			return 0;
	}
	return sale && amount;
}

static int
refuse_ns(const xmlNode *n, struct eb_error *err)
{
	eb_fail(err, EB_ERR_FORMAT, "wrong-namespace",
	    "Put every element in the namespace urn:ebid:1: declare "
	    "xmlns=\"urn:ebid:1\" on the root element.",
	    "document refused: element '%s' is not in namespace %s",
	    (const char *)n->name, EB_XML_NS);
	eb_error_detail(err, "line %ld: element '%s' has namespace '%s'",
	    xmlGetLineNo(n), (const char *)n->name,
	    n->ns != NULL && n->ns->href != NULL ?
	    (const char *)n->ns->href : "(none)");
	return EB_ERR_FORMAT;
}

/*
 * The text of a leaf element held by one text node 't': a long one is
 * taken from libxml2's tree instead of copied (xmlMemSetup gave libxml2
 * our allocator, and the tree is freed right after the conversion; the
 * node's content becomes NULL, which xmlFreeDoc skips).  A 100 KiB bid's
 * 96 KB text was copied into fresh memory once more for every bid the
 * opening keeps (docs/performance.md, "Issue 17, sixth pass: the
 * opening").  Short texts, and texts libxml2 keeps in its dictionary or
 * inside the node itself, are copied.
 */
#define TEXT_TAKE_MIN 4096

static void
set_text_from(struct eb_doc *d, xmlNode *t)
{
	size_t len = strlen((const char *)t->content);

	if (len < TEXT_TAKE_MIN ||
	    t->content == (xmlChar *)&t->properties ||
	    (t->doc != NULL && t->doc->dict != NULL &&
	    xmlDictOwns(t->doc->dict, t->content))) {
		eb_doc_set_text(d, (const char *)t->content);
		return;
	}
	free(d->text);
	/* libxml2 grows a text by doubling: give back the unused tail
	 * (glibc shrinks in place) */
	d->text = eb_realloc(t->content, len + 1);
	t->content = NULL;
}

/*
 * Convert element 'n' (already checked by the SAX hooks for depth and
 * count) into a new eb_doc appended to 'parent' (or returned in *root when
 * 'parent' is NULL).
 */
static int
convert(const xmlNode *n, struct eb_doc *parent, struct eb_doc **root,
    struct eb_error *err)
{
	struct eb_doc *d;
	const xmlAttr *a;
	const xmlNode *c;
	xmlChar *v;
	struct eb_buf text = EB_BUF_INIT;
	const xmlChar *only = NULL;       /* the text when it is one piece */
	const xmlNode *only_node = NULL;  /* ... and the node holding it */
	int rc = EB_OK, has_child = 0, pieces = 0, nonspace = 0;

	if (!in_our_ns(n))
		return refuse_ns(n, err);
	if (!name_ok(n->name, 0))
		return refuse_name(n, n->name, err);
	d = parent != NULL ? eb_doc_add(parent, (const char *)n->name) :
	    eb_doc_new((const char *)n->name);
	if (parent == NULL)
		*root = d;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL) {
			rc = eb_fail(err, EB_ERR_FORMAT, "namespaced-attribute",
			    "Write attributes without a prefix; only xmlns "
			    "declarations may carry one.",
			    "document refused: attribute '%s:%s' has a namespace",
			    a->ns->prefix != NULL ?
			    (const char *)a->ns->prefix : "",
			    (const char *)a->name);
			eb_error_detail(err, "line %ld: element '%s'",
			    xmlGetLineNo(n), (const char *)n->name);
			goto out;
		}
		if (!name_ok(a->name, 1)) {
			rc = refuse_name(n, a->name, err);
			goto out;
		}
		/* Usually one text node holds the value: use it in place. */
		if (a->children != NULL && a->children->next == NULL &&
		    a->children->type == XML_TEXT_NODE &&
		    a->children->content != NULL) {
			eb_doc_set_attr(d, (const char *)a->name,
			    (const char *)a->children->content);
			continue;
		}
		v = xmlNodeGetContent((const xmlNode *)a);
		if (v == NULL)
			eb_oom("xmlNodeGetContent", 0);
		eb_doc_set_attr(d, (const char *)a->name, (const char *)v);
		xmlFree(v);
	}
	for (c = n->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			has_child = 1;
			if ((rc = convert(c, d, root, err)) != EB_OK)
				goto out;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content == NULL || c->content[0] == '\0')
				break;
			if (!all_space(c->content,
			    strlen((const char *)c->content)))
				nonspace = 1;
			/* Copy only when the text comes in several pieces. */
			if (++pieces == 1) {
				only = c->content;
				only_node = c;
				break;
			}
			if ((pieces == 2 && (rc = eb_buf_puts(&text,
			    (const char *)only)) != EB_OK) ||
			    (rc = eb_buf_puts(&text,
			    (const char *)c->content)) != EB_OK) {
				eb_fail(err, rc, "document-too-large", NULL,
				    "document refused: text too large");
				goto out;
			}
			break;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		default:
			rc = eb_fail(err, EB_ERR_FORMAT, "entity-not-allowed",
			    "Write characters directly or as character "
			    "references; ebid messages declare no entities.",
			    "document refused: unexpected node type %d in '%s'",
			    (int)c->type, (const char *)n->name);
			eb_error_detail(err, "line %ld", xmlGetLineNo(c));
			goto out;
		}
	}
	if (has_child) {
		if (nonspace) {
			rc = eb_fail(err, EB_ERR_FORMAT, "mixed-content",
			    "Put text only in elements without child elements.",
			    "document refused: element '%s' mixes text and "
			    "child elements", (const char *)n->name);
			eb_error_detail(err, "line %ld: element '%s'",
			    xmlGetLineNo(n), (const char *)n->name);
			goto out;
		}
	} else if (pieces == 1) {
		set_text_from(d, (xmlNode *)(uintptr_t)only_node);
	} else if (pieces > 1) {
		eb_doc_set_text(d, eb_buf_str(&text));
	}
out:
	eb_buf_free(&text);
	return rc;
}

/* -- parsing: the entry point ----------------------------------------------- */

static void
effective_limits(const struct eb_xml_limits *in, struct eb_xml_limits *out)
{
	out->max_bytes = in != NULL && in->max_bytes != 0 ?
	    in->max_bytes : DEFAULT_MAX_BYTES;
	out->max_depth = in != NULL && in->max_depth != 0 ?
	    in->max_depth : DEFAULT_MAX_DEPTH;
	if (out->max_depth > EB_XML_DEPTH_CAP)
		out->max_depth = EB_XML_DEPTH_CAP;
	out->max_elements = in != NULL && in->max_elements != 0 ?
	    in->max_elements : DEFAULT_MAX_ELEMENTS;
	out->max_attributes = in != NULL && in->max_attributes != 0 ?
	    in->max_attributes : DEFAULT_MAX_ATTRIBUTES;
	out->max_namespaces = in != NULL && in->max_namespaces != 0 ?
	    in->max_namespaces : DEFAULT_MAX_NAMESPACES;
	out->max_nodes = in != NULL && in->max_nodes != 0 ? in->max_nodes :
	    (out->max_elements > SIZE_MAX / 4 ? SIZE_MAX :
	    out->max_elements * 4);
	out->max_text = in != NULL && in->max_text != 0 ?
	    in->max_text : out->max_bytes;
	out->raise_shapes = in != NULL && in->raise_shapes;
}

/* -- parsing: the pre-scan ---------------------------------------------------- */

/*
 * The pre-scan: one pass over the bytes, before libxml2, that counts what
 * makes libxml2 slow or a tree big.  It follows XML's delimiters exactly
 * (a comment ends at the first "-->", CDATA at the first "]]>", a PI at
 * the first "?>", a tag at the first '>' outside a quoted value), so on a
 * well-formed prefix it sees the same markup libxml2 will; libxml2 stops
 * at the first malformation (no RECOVER), so it never reads past what
 * was counted here.  Every attribute has one '=' outside quotes: counting
 * those can only over-count.  An unterminated construct ends the scan
 * (libxml2 then reports "malformed").
 */
struct prescan {
	const struct eb_xml_limits *lim;
	const uint8_t *p;
	size_t len;
	unsigned depth;
	size_t elements, nodes, namespaces;
};

static int
prescan_refuse(const struct prescan *ps, size_t at, const uint8_t *name,
    size_t namelen, const char *reason, struct eb_error *err)
{
	const struct eb_xml_limits *lim = ps->lim;
	size_t line = 1;
	int code = EB_ERR_LIMIT;
	const uint8_t *q;

	for (q = ps->p; (q = memchr(q, '\n', (size_t)(ps->p + at - q))) !=
	    NULL; q++)
		line++;
	if (namelen > 63)
		namelen = 63;
	if (strcmp(reason, "too-deep") == 0) {
		eb_fail(err, code, reason,
		    "Flatten the document: elements may nest at most as deep "
		    "as the limit in the message.",
		    "document refused: elements nest deeper than %u levels",
		    lim->max_depth);
		eb_error_detail(err, "line %zu: element '%.*s' at depth %u",
		    line, (int)namelen, (const char *)name, lim->max_depth + 1);
		return code;
	}
	if (strcmp(reason, "too-many-elements") == 0)
		eb_fail(err, code, reason,
		    "Split the content over several documents.",
		    "document refused: more than %zu elements, comments and "
		    "processing instructions", lim->max_elements);
	else if (strcmp(reason, "too-many-attributes") == 0)
		eb_fail(err, code, reason,
		    "ebid elements have at most a few dozen attributes "
		    "(docs/xml.md); send the message as the schema defines it.",
		    "document refused: an element has more than %u attributes",
		    lim->max_attributes);
	else if (strcmp(reason, "too-many-namespaces") == 0)
		eb_fail(err, code, reason,
		    "Declare xmlns=\"urn:ebid:1\" once, on the root element.",
		    "document refused: more than %u namespace declarations",
		    lim->max_namespaces);
	else if (strcmp(reason, "too-many-nodes") == 0)
		eb_fail(err, code, reason,
		    "Split the content over several documents.",
		    "document refused: more than %zu nodes (elements, "
		    "attributes, text runs, comments)", lim->max_nodes);
	else if (strcmp(reason, "text-too-long") == 0)
		eb_fail(err, code, reason,
		    "Send a shorter text; the limit is in the message.",
		    "document refused: a text, attribute value or comment is "
		    "longer than %zu bytes", lim->max_text);
	else {
		code = EB_ERR_FORMAT;
		eb_fail(err, code, "dtd-not-allowed",
		    "Remove the <!DOCTYPE ...> declaration: ebid messages use "
		    "no DTD and no entities.",
		    "document refused: a DOCTYPE declaration is not allowed");
	}
	eb_error_detail(err, "line %zu: element '%.*s'", line, (int)namelen,
	    (const char *)name);
	return code;
}

/* The offset just past the first 'end' (of 'elen' bytes) at or after 'from';
 * 0 when there is none. */
static size_t
find_end(const struct prescan *ps, size_t from, const char *end, size_t elen)
{
	const uint8_t *q = ps->p + from, *lim = ps->p + ps->len;

	while (q + elen <= lim) {
		q = memchr(q, end[0], (size_t)(lim - q));
		if (q == NULL || q + elen > lim)
			return 0;
		if (memcmp(q, end, elen) == 0)
			return (size_t)(q - ps->p) + elen;
		q++;
	}
	return 0;
}

static int
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * One start tag at ps->p[at] == '<'.  Returns the offset after its '>'
 * in *next (0: unterminated), or a refusal.
 */
static int
prescan_tag(struct prescan *ps, size_t at, size_t *next,
    struct eb_error *err)
{
	const struct eb_xml_limits *lim = ps->lim;
	const uint8_t *p = ps->p;
	size_t i = at + 1, name, namelen, tok = 0, vstart = 0;
	unsigned attrs = 0;
	uint8_t quote = 0;

	name = i;
	while (i < ps->len && !is_ws(p[i]) && p[i] != '>' && p[i] != '/')
		i++;
	namelen = i - name;
	if (++ps->elements > lim->max_elements)
		return prescan_refuse(ps, at, p + name, namelen,
		    "too-many-elements", err);
	if (++ps->nodes > lim->max_nodes)
		return prescan_refuse(ps, at, p + name, namelen,
		    "too-many-nodes", err);
	for (; i < ps->len; i++) {
		uint8_t c = p[i];

		if (quote != 0) {
			if (c != quote)
				continue;
			quote = 0;
			if (i - vstart > lim->max_text)
				return prescan_refuse(ps, at, p + name, namelen,
				    "text-too-long", err);
			continue;
		}
		if (c == '"' || c == '\'') {
			quote = c;
			vstart = i + 1;
			continue;
		}
		if (c == '>') {
			*next = i + 1;
			if (p[i - 1] == '/')
				return EB_OK;          /* empty element */
			if (++ps->depth > lim->max_depth)
				return prescan_refuse(ps, at, p + name,
				    namelen, "too-deep", err);
			return EB_OK;
		}
		if (c == '=') {
			if (tok != 0 && i - tok >= 5 &&
			    memcmp(p + tok, "xmlns", 5) == 0 &&
			    (p[tok + 5] == ':' || p[tok + 5] == '=' ||
			    is_ws(p[tok + 5]))) {
				if (++ps->namespaces > lim->max_namespaces)
					return prescan_refuse(ps, at, p + name,
					    namelen, "too-many-namespaces", err);
			} else if (++attrs > lim->max_attributes) {
				return prescan_refuse(ps, at, p + name, namelen,
				    "too-many-attributes", err);
			}
			if (++ps->nodes > lim->max_nodes)
				return prescan_refuse(ps, at, p + name, namelen,
				    "too-many-nodes", err);
			tok = 0;
			continue;
		}
		if (!is_ws(c) && (is_ws(p[i - 1]) || p[i - 1] == '"' ||
		    p[i - 1] == '\''))
			tok = i;            /* an attribute name begins */
	}
	*next = 0;
	return EB_OK;
}

int
eb_xml_prescan(const struct eb_xml_limits *limits, const uint8_t *p,
    size_t len, struct eb_error *err)
{
	struct eb_xml_limits lim;
	struct prescan ps;
	size_t i = 0, end = 0, start;
	int rc;

	effective_limits(limits, &lim);
	memset(&ps, 0, sizeof(ps));
	ps.lim = &lim;
	ps.p = p;
	ps.len = len;
	while (i < len) {
		const uint8_t *lt = memchr(p + i, '<', len - i);
		size_t n = lt != NULL ? (size_t)(lt - p) : len;

		if (n > i) {                            /* a text run */
			if (n - i > lim.max_text)
				return prescan_refuse(&ps, i, (const uint8_t *)"",
				    0, "text-too-long", err);
			if (++ps.nodes > lim.max_nodes)
				return prescan_refuse(&ps, i, (const uint8_t *)"",
				    0, "too-many-nodes", err);
		}
		if (lt == NULL)
			break;
		i = n;
		start = i;
		if (len - i >= 4 && memcmp(p + i, "<!--", 4) == 0)
			end = find_end(&ps, i + 4, "-->", 3);
		else if (len - i >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0)
			end = find_end(&ps, i + 9, "]]>", 3);
		else if (len - i >= 2 && p[i + 1] == '?')
			end = find_end(&ps, i + 2, "?>", 2);
		else if (len - i >= 2 && p[i + 1] == '!')
			return prescan_refuse(&ps, i, p + i, 9,
			    "dtd-not-allowed", err);
		else if (len - i >= 2 && p[i + 1] == '/') {
			if (ps.depth > 0)
				ps.depth--;
			end = find_end(&ps, i + 2, ">", 1);
			if (end == 0)
				break;
			i = end;
			continue;
		} else {
			if ((rc = prescan_tag(&ps, i, &end, err)) != EB_OK)
				return rc;
			if (end == 0)
				break;
			i = end;
			continue;
		}
		/* a comment, CDATA section or PI */
		if (end == 0)
			break;
		if (end - start > lim.max_text)
			return prescan_refuse(&ps, start, (const uint8_t *)"", 0,
			    "text-too-long", err);
		if (p[start + 1] != '!' || p[start + 2] != '[') {
			if (++ps.elements > lim.max_elements)
				return prescan_refuse(&ps, start,
				    (const uint8_t *)"", 0, "too-many-elements",
				    err);
		}
		if (++ps.nodes > lim.max_nodes)
			return prescan_refuse(&ps, start, (const uint8_t *)"", 0,
			    "too-many-nodes", err);
		i = end;
	}
	return EB_OK;
}

static int
refuse_stopped(const struct parse_state *st, const struct eb_xml_limits *lim,
    struct eb_error *err)
{
	if (strcmp(st->stop_reason, "dtd-not-allowed") == 0) {
		eb_fail(err, EB_ERR_FORMAT, "dtd-not-allowed",
		    "Remove the <!DOCTYPE ...> declaration: ebid messages use "
		    "no DTD and no entities.",
		    "document refused: a DOCTYPE declaration is not allowed");
		eb_error_detail(err, "line %d: <!DOCTYPE %s", st->stop_line,
		    st->stop_name);
		return EB_ERR_FORMAT;
	}
	if (strcmp(st->stop_reason, "too-deep") == 0) {
		eb_fail(err, EB_ERR_LIMIT, "too-deep",
		    "Flatten the document: elements may nest at most as deep "
		    "as the limit in the message.",
		    "document refused: elements nest deeper than %u levels",
		    lim->max_depth);
		eb_error_detail(err, "line %d: element '%s' at depth %u",
		    st->stop_line, st->stop_name, lim->max_depth + 1);
		return EB_ERR_LIMIT;
	}
	eb_fail(err, EB_ERR_LIMIT, "too-many-elements",
	    "Split the content over several documents.",
	    "document refused: more than %zu elements", lim->max_elements);
	eb_error_detail(err, "line %d: element '%s'", st->stop_line,
	    st->stop_name);
	return EB_ERR_LIMIT;
}

/*
 * See xml.h and the header of this file.  Returns EB_OK with *out a new
 * tree the caller owns (eb_doc_free), or EB_ERR_LIMIT / EB_ERR_FORMAT
 * with *out NULL and 'err' (may be NULL) giving the reason
 * token, the line and libxml2's message.  A limit field of 0 means its
 * default; max_depth is capped at 255.  Borrows 'schema' and 'p'.
 */
/*
 * Parser contexts kept per thread (eb_xml_reuse_contexts, xml.h): a
 * context whose last parse ended cleanly is handed to the next parse on
 * the same thread, which xmlCtxtReadMemory resets (xmlCtxtReset) before
 * reading; its dictionary, input and node stacks are kept.  A context
 * used in pieces, stopped by a hook, or that met a document that was not
 * well-formed is freed, never reused; so is one after CTXT_USES parses
 * (its dictionary holds every name and short text it has seen).  The
 * original SAX start/end handlers are kept beside it: the hooks replace
 * them in the context's own handler table.
 */
#define CTXT_USES 4096

struct kept_ctxt {
	xmlParserCtxtPtr ctxt;
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
	unsigned uses;
};

static int reuse_contexts;
static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;

static void
kept_free(void *p)
{
	struct kept_ctxt *k = p;

	if (k == NULL)
		return;
	xmlFreeParserCtxt(k->ctxt);
	free(k);
}

static void
kept_init(void)
{
	if (pthread_key_create(&kept_key, kept_free) != 0)
		reuse_contexts = 0;
}

void
eb_xml_lean_schema(int on)
{
	lean_schema = on != 0;
}

void
eb_xml_reuse_contexts(int on)
{
	reuse_contexts = on != 0;
	if (reuse_contexts)
		(void)pthread_once(&kept_once, kept_init);
}

void
eb_xml_release_contexts(void)
{
	struct kept_ctxt *k;

	if (!reuse_contexts)
		return;
	if ((k = pthread_getspecific(kept_key)) != NULL) {
		(void)pthread_setspecific(kept_key, NULL);
		kept_free(k);
	}
}

/* A parser context with its original handlers: kept, or new. */
static struct kept_ctxt *
ctxt_take(void)
{
	struct kept_ctxt *k = NULL;

	if (reuse_contexts && (k = pthread_getspecific(kept_key)) != NULL) {
		(void)pthread_setspecific(kept_key, NULL);
		return k;
	}
	k = eb_calloc(1, sizeof(*k));
	k->ctxt = xmlNewParserCtxt();
	if (k->ctxt == NULL || k->ctxt->sax == NULL)
		eb_oom("xmlNewParserCtxt", 0);
	k->start = k->ctxt->sax->startElementNs;
	k->end = k->ctxt->sax->endElementNs;
	return k;
}

/* Done with 'k': kept for this thread's next parse when 'clean', else freed. */
static void
ctxt_give(struct kept_ctxt *k, int clean)
{
	if (k == NULL)
		return;
	if (reuse_contexts && clean && ++k->uses < CTXT_USES &&
	    pthread_getspecific(kept_key) == NULL) {
		k->ctxt->_private = NULL;
		if (pthread_setspecific(kept_key, k) == 0)
			return;
	}
	kept_free(k);
}

int
eb_xml_parse(const struct eb_schema *schema,
    const struct eb_xml_limits *limits, const uint8_t *p, size_t len,
    struct eb_doc **out, struct eb_error *err)
{
	struct eb_xml_limits lim;
	struct parse_state st;
	struct saved_handler saved;
	struct first_error verr;
	xmlParserCtxtPtr ctxt = NULL;
	struct kept_ctxt *kc = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlSchemaPtr lean = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	struct eb_doc *tree = NULL;
	int rc = EB_OK, pushed = 0, vrc, clean = 0;
	size_t cut;

	*out = NULL;
	effective_limits(limits, &lim);
	if (len > lim.max_bytes || len > (size_t)INT_MAX) {
		eb_fail(err, EB_ERR_LIMIT, "document-too-large",
		    "Send a smaller document.",
		    "document refused: %zu bytes is over the limit of %zu bytes",
		    len, lim.max_bytes);
		return EB_ERR_LIMIT;
	}
	if ((rc = eb_xml_prescan(&lim, p, len, err)) != EB_OK)
		return rc;
	/* at most long_min bytes: no value reaches a facet left out of the
	 * second compile (struct eb_schema); compiled here the first time */
	if (schema != NULL)
		lean = lean_for(schema, len);

	memset(&st, 0, sizeof(st));
	memset(&verr, 0, sizeof(verr));
	st.max_depth = lim.max_depth;
	st.max_elements = lim.max_elements;

	kc = ctxt_take();
	ctxt = kc->ctxt;
	ctxt->_private = &st;
	st.start = kc->start;
	st.end = kc->end;
	ctxt->sax->startElementNs = hook_start;
	ctxt->sax->endElementNs = hook_end;
	ctxt->sax->internalSubset = hook_internal_subset;
	ctxt->sax->externalSubset = NULL;

	handler_push(&saved, &st.xerr);
	pushed = 1;
	/* The wire is UTF-8 only: forcing it ignores any other declared
	 * encoding (no iconv on untrusted bytes); other bytes are malformed. */
	if (eb_xml_pieces > 0 && len <= PIECES_MAX_LEN)
		cut = len > eb_xml_pieces ? eb_xml_pieces : len;
	else if ((cut = next_piece(p, 0, len)) == len)
		cut = 0;
	if (cut > 0)
		doc = read_in_pieces(ctxt, p, len, cut);
	else
		doc = xmlCtxtReadMemory(ctxt, (const char *)p, (int)len,
		    "message.xml", "UTF-8", PARSE_OPTIONS);
	/* reusable only after a whole, clean read in one call */
	clean = cut == 0 && st.stop_reason == NULL && doc != NULL &&
	    ctxt->wellFormed && ctxt->nsWellFormed;

	if (st.stop_reason != NULL) {
		rc = refuse_stopped(&st, &lim, err);
		goto out;
	}
	/* nsWellFormed is 0 after a namespace error (e.g. a QName ":x"),
	 * which libxml2 does not count as fatal. */
	if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		rc = eb_fail(err, EB_ERR_FORMAT, "malformed",
		    "Send well-formed XML (check it with xmllint --noout).",
		    "document refused: not well-formed XML");
		if (st.xerr.count > 0)
			eb_error_detail(err, "line %d: %s", st.xerr.line,
			    st.xerr.msg);
		else
			eb_error_detail(err, "libxml2 error %d",
			    ctxt->errNo);
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "dtd-not-allowed",
		    "Remove the <!DOCTYPE ...> declaration: ebid messages use "
		    "no DTD and no entities.",
		    "document refused: a DOCTYPE declaration is not allowed");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "malformed", NULL,
		    "document refused: no root element");
		goto out;
	}
	if (!in_our_ns(root)) {
		rc = refuse_ns(root, err);
		goto out;
	}
	if (schema != NULL && lim.raise_shapes && raise_shape(root)) {
		eb_xml_shape_skips++;     /* valid by its shape (above) */
	} else if (schema != NULL) {
		vc = xmlSchemaNewValidCtxt(lean != NULL ? lean : schema->xs);
		if (vc == NULL)
			eb_oom("xmlSchemaNewValidCtxt", 0);
		/* Validation errors go to 'verr', anything else to st.xerr. */
		xmlSchemaSetValidStructuredErrors(vc, on_xml_error, &verr);
		vrc = xmlSchemaValidateDoc(vc, doc);
		if (vrc != 0) {
			rc = eb_fail(err, EB_ERR_FORMAT, "schema-invalid",
			    "Correct the element or attribute named in the "
			    "detail; docs/xml.md lists the messages and types.",
			    "document refused: not valid against the ebid "
			    "schema (root '%s')", (const char *)root->name);
			if (verr.count > 1)
				eb_error_detail(err, "line %d: %s (and %d more "
				    "error(s))", verr.line, verr.msg,
				    verr.count - 1);
			else if (verr.count == 1)
				eb_error_detail(err, "line %d: %s", verr.line,
				    verr.msg);
			else
				eb_error_detail(err, "validation returned %d",
				    vrc);
			goto out;
		}
	}
	rc = convert(root, NULL, &tree, err);
	if (rc != EB_OK)
		goto out;
	*out = tree;
	tree = NULL;
out:
	if (pushed)
		handler_pop(&saved);
	eb_doc_free(tree);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	ctxt_give(kc, clean);
	return rc;
}

/* -- writing ------------------------------------------------------------------ */

/* An ASCII XML name without ':' (ebid names are all ASCII); xml.h. */
int
eb_xml_name_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p == NULL || *p == '\0')
		return 0;
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    *p == '_'))
		return 0;
	for (p++; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.'))
			return 0;
	return 1;
}

/*
 * The length of the UTF-8 sequence at 'p' (2 to 4 bytes) when it is one
 * XML 1.0 character above ASCII (U+0080..U+D7FF, U+E000..U+FFFD,
 * U+10000..U+10FFFF, shortest form), else 0.  (xml.h; replyxml.c too.)
 */
size_t
eb_xml_utf8_char(const unsigned char *p)
{
	unsigned long cp;
	size_t n, i;

	if ((*p & 0xe0) == 0xc0) {
		cp = *p & 0x1f;
		n = 1;
	} else if ((*p & 0xf0) == 0xe0) {
		cp = *p & 0x0f;
		n = 2;
	} else if ((*p & 0xf8) == 0xf0) {
		cp = *p & 0x07;
		n = 3;
	} else {
		return 0;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
	    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n + 1;
}

/*
 * 's' escaped into 'out' as C14N 1.0 escapes an attribute value ('attr')
 * or text.  EB_ERR_FORMAT when 's' is not UTF-8 of XML characters.
 */
static int
direct_escaped(struct eb_buf *out, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	const char *esc;
	size_t n;
	int rc;

	for (;;) {
		unsigned char c = *p;

		if (c >= 0x80) {
			if ((n = eb_xml_utf8_char(p)) == 0)
				return EB_ERR_FORMAT;
			p += n;
			continue;
		}
		if (c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '"') {
			p++;
			continue;
		}
		switch (c) {
		case '\0': esc = NULL; break;
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = attr ? ">" : "&gt;"; break;
		case '"': esc = attr ? "&quot;" : "\""; break;
		case '\t': esc = attr ? "&#x9;" : "\t"; break;
		case '\n': esc = attr ? "&#xA;" : "\n"; break;
		case '\r': esc = "&#xD;"; break;
		default: return EB_ERR_FORMAT;     /* another control character */
		}
		if (p > run && (rc = eb_buf_append(out, run,
		    (size_t)(p - run))) != EB_OK)
			return rc;
		if (esc == NULL)
			return EB_OK;
		if ((rc = eb_buf_puts(out, esc)) != EB_OK)
			return rc;
		run = ++p;
	}
}

/* "<name xmlns=NS ATTRS>" of 'd' (eb_xml_write_direct_start). */
static int
direct_start(struct eb_buf *out, const struct eb_doc *d, const char *ns)
{
	const struct eb_attr *a;
	int rc;

	if (!eb_xml_name_ok(d->name))
		return EB_ERR_FORMAT;
	if ((rc = eb_buf_append(out, "<", 1)) != EB_OK ||
	    (rc = eb_buf_puts(out, d->name)) != EB_OK)
		return rc;
	if (ns != NULL && ((rc = eb_buf_puts(out, " xmlns=\"")) != EB_OK ||
	    (rc = direct_escaped(out, ns, 1)) != EB_OK ||
	    (rc = eb_buf_append(out, "\"", 1)) != EB_OK))
		return rc;
	for (a = d->attrs; a != NULL; a = a->next) {
		if (!eb_xml_name_ok(a->name) || strncmp(a->name, "xml", 3) == 0 ||
		    a->value == NULL ||
		    (a->next != NULL && strcmp(a->name, a->next->name) >= 0))
			return EB_ERR_FORMAT;
		if ((rc = eb_buf_append(out, " ", 1)) != EB_OK ||
		    (rc = eb_buf_puts(out, a->name)) != EB_OK ||
		    (rc = eb_buf_append(out, "=\"", 2)) != EB_OK ||
		    (rc = direct_escaped(out, a->value, 1)) != EB_OK ||
		    (rc = eb_buf_append(out, "\"", 1)) != EB_OK)
			return rc;
	}
	return eb_buf_append(out, ">", 1);
}

/* The base64 of p[0..n) appended to 'out' (text held as bytes, doc.h). */
static int
direct_b64(struct eb_buf *out, const uint8_t *p, size_t n)
{
	size_t len = eb_base64_len(n);
	char *t;
	int rc;

	if (len == 0)
		return n == 0 ? EB_OK : EB_ERR_LIMIT;
	t = eb_malloc(len + 1);
	eb_base64_put(p, n, t);
	rc = eb_buf_append(out, t, len);
	free(t);
	return rc;
}

static int
direct_element(struct eb_buf *out, const struct eb_doc *d, const char *ns,
    unsigned depth)
{
	const struct eb_doc *c;
	int rc;

	if (depth > EB_XML_DIRECT_DEPTH)
		return EB_ERR_FORMAT;
	if ((rc = direct_start(out, d, ns)) != EB_OK)
		return rc;
	if (d->bin != NULL) {
		/* text held as bytes (doc.h): base64 needs no escape */
		if (d->first != NULL)
			return EB_ERR_FORMAT;              /* mixed content */
		if ((rc = direct_b64(out, d->bin, d->binlen)) != EB_OK)
			return rc;
	} else if (d->text != NULL && d->text[0] != '\0') {
		if (d->first != NULL)
			return EB_ERR_FORMAT;              /* mixed content */
		if ((rc = direct_escaped(out, d->text, 0)) != EB_OK)
			return rc;
	}
	for (c = d->first; c != NULL; c = c->next)
		if ((rc = direct_element(out, c, NULL, depth + 1)) != EB_OK)
			return rc;
	if ((rc = eb_buf_append(out, "</", 2)) != EB_OK ||
	    (rc = eb_buf_puts(out, d->name)) != EB_OK ||
	    (rc = eb_buf_append(out, ">", 1)) != EB_OK)
		return rc;
	return EB_OK;
}

/* Only the start tag of 'd' (xml.h). */
int
eb_xml_write_direct_start(const struct eb_doc *d, const char *ns,
    struct eb_buf *out)
{
	if (d == NULL)
		return EB_ERR_FORMAT;
	return direct_start(out, d, ns);
}

/* The canonical form written straight from the tree (xml.h). */
int
eb_xml_write_direct(const struct eb_doc *d, const char *ns,
    struct eb_buf *out)
{
	if (d == NULL)
		return EB_ERR_FORMAT;
	return direct_element(out, d, ns, 0);
}

/*
 * 1 when 's' is valid UTF-8 made only of XML 1.0 characters (tab, line
 * feed, carriage return, U+0020..U+D7FF, U+E000..U+FFFD,
 * U+10000..U+10FFFF), else 0.
 */
static int
valid_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				return 0;
			p++;
			continue;
		}
		if ((n = eb_xml_utf8_char(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

static int
check_tree(const struct eb_doc *d)
{
	const struct eb_attr *a;
	const struct eb_doc *c;

	if (!eb_xml_name_ok(d->name))
		return EB_ERR_FORMAT;
	for (a = d->attrs; a != NULL; a = a->next)
		if (!eb_xml_name_ok(a->name) || strcmp(a->name, "xmlns") == 0 ||
		    strncmp(a->name, "xml", 3) == 0 || !valid_chars(a->value))
			return EB_ERR_FORMAT;
	if (d->bin != NULL) {
		/* text held as bytes (doc.h): base64, valid characters */
		if (d->first != NULL)
			return EB_ERR_FORMAT;   /* mixed content */
	} else if (d->text != NULL) {
		if (!valid_chars(d->text))
			return EB_ERR_FORMAT;
		if (d->first != NULL && d->text[0] != '\0')
			return EB_ERR_FORMAT;   /* mixed content */
	}
	for (c = d->first; c != NULL; c = c->next)
		if (check_tree(c) != EB_OK)
			return EB_ERR_FORMAT;
	return EB_OK;
}

/*
 * Returns EB_OK, EB_ERR_FORMAT when the tree cannot be written as XML that
 * reads back equal (a name that is not an ASCII XML name, an attribute
 * named xmlns or xml*, text that is not valid UTF-8 of XML characters, or
 * text beside child elements), or EB_ERR_LIMIT from 'out'.  Nothing is
 * appended on EB_ERR_FORMAT; on EB_ERR_LIMIT 'out' may hold a partial
 * document.
 */
int
eb_xml_write(const struct eb_doc *d, int pretty, struct eb_buf *out)
{
	int rc;

	if (d == NULL || check_tree(d) != EB_OK)
		return EB_ERR_FORMAT;
	if ((rc = eb_buf_puts(out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")) != EB_OK)
		return rc;
	/* the canonical form with the namespace: libxml2's C14N (canon.h) */
	if (!pretty)
		return eb_canon(d, EB_XML_NS, out);
	if ((rc = eb_canon_pretty(d, EB_XML_NS, out)) != EB_OK)
		return rc;
	return eb_buf_puts(out, "\n");
}

int
eb_xml_parse_stored_events(const uint8_t *p, size_t len,
    struct eb_doc **out, struct eb_error *err)
{
	static const char tag[] = "<events";
	static const char ns[] = " xmlns=\"" EB_XML_NS "\"";
	struct eb_xml_limits lim = { .max_bytes = (size_t)1 << 30,
	    .max_depth = 64, .max_elements = 50000000 };
	struct eb_buf b = EB_BUF_INIT;
	int rc;

	*out = NULL;
	if (p == NULL || len < sizeof(tag) - 1 ||
	    memcmp(p, tag, sizeof(tag) - 1) != 0 ||
	    (len > sizeof(tag) - 1 && p[sizeof(tag) - 1] != '>' &&
	    p[sizeof(tag) - 1] != ' '))
		return eb_fail(err, EB_ERR_FORMAT, "bad-stored-events", NULL,
		    "a stored entry does not hold an <events> tree");
	b.max = ((size_t)1 << 30) + sizeof(ns);
	if ((rc = eb_buf_append(&b, p, sizeof(tag) - 1)) != EB_OK ||
	    (rc = eb_buf_append(&b, ns, sizeof(ns) - 1)) != EB_OK ||
	    (rc = eb_buf_append(&b, p + sizeof(tag) - 1,
	    len - (sizeof(tag) - 1))) != EB_OK) {
		eb_buf_free(&b);
		return eb_fail(err, rc, "bad-stored-events", NULL,
		    "a stored entry is too large");
	}
	rc = eb_xml_parse(NULL, &lim, b.data, b.len, out, err);
	eb_buf_free(&b);
	return rc;
}
