/*
 * tools/audit_heads.c
 *    Signed chain heads an auditor brings from outside the log
 *    (ebid-audit verify --head FILE): read the file, whatever form the
 *    head was kept in, and add its heads to the log so eb_audit_verify()
 *    checks them like its own (a head naming an entry the log lacks is a
 *    cut tail; another hash is a rewrite).
 *
 *    The forms:
 *      - a bidder's RECEIPT.proof (<accepted> with <chain-head>),
 *      - GET /v1/heads/ID (<chain-heads>) or another export (<log>),
 *      - the public board's page GET /heads/ID, saved as it is served
 *        (HTML: engine/server/pages/board.xsl, one table row per head:
 *        aggregate, seq, <td class="hash">, written, then a row
 *        <tr class="sig"> whose <pre> holds the base64 CMS signature).
 *        It is read with libxml2's HTML parser (no network); only the
 *        rows of the log's own aggregate are taken, and a head is taken
 *        only with its signature, which eb_audit_verify() then checks
 *        against the server certificates like any other.
 */
#include "audit_log.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "protocol/cms.h"
#include "protocol/mem.h"
#include "tools/fileio.h"

#define HEAD_FILE_MAX ((size_t)64 << 20)

/* The text of 'n' with surrounding white space removed (caller frees). */
static char *
trimmed_text(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s, *e, *out;

	if (t == NULL)
		return NULL;
	for (s = (char *)t; *s == ' ' || *s == '\n' || *s == '\t' ||
	    *s == '\r'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' ||
	    e[-1] == '\r'))
		e--;
	out = eb_strndup(s, (size_t)(e - s));
	xmlFree(t);
	return out;
}

static int
is_elem(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static int
has_class(xmlNodePtr n, const char *cls)
{
	xmlChar *c = xmlGetProp(n, (const xmlChar *)"class");
	int yes = c != NULL && strcmp((const char *)c, cls) == 0;

	xmlFree(c);
	return yes;
}

/* The first descendant element named 'name' of 'n', or NULL. */
static xmlNodePtr
find(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n != NULL ? n->children : NULL; c != NULL;
	    c = c->next) {
		xmlNodePtr f;

		if (is_elem(c, name))
			return c;
		if ((f = find(c, name)) != NULL)
			return f;
	}
	return NULL;
}

/* One head row (<tr> with a <td class="hash">) and its signature row. */
static int
board_row(struct eb_audit_log *l, xmlNodePtr tr, int *taken,
    struct eb_error *err)
{
	xmlNodePtr td[4] = { NULL }, c, sig;
	char *agg = NULL, *seq = NULL, *hash = NULL, *b64 = NULL;
	struct eb_audit_head hd;
	int n = 0, rc = EB_OK;

	for (c = tr->children; c != NULL && n < 4; c = c->next)
		if (is_elem(c, "td"))
			td[n++] = c;
	if (n < 3 || !has_class(td[2], "hash"))
		return EB_OK;                   /* not a head row */
	for (sig = tr->next; sig != NULL && !is_elem(sig, "tr"); sig = sig->next)
		;
	agg = trimmed_text(td[0]);
	if (agg == NULL || strcmp(agg, l->aggregate) != 0)
		goto out;                       /* another aggregate's head */
	seq = trimmed_text(td[1]);
	hash = trimmed_text(td[2]);
	if (sig != NULL && has_class(sig, "sig") && find(sig, "pre") != NULL &&
	    (b64 = trimmed_text(find(sig, "pre"))) != NULL) {
		char *w = b64;                  /* the page wraps at 76 */

		for (char *r = b64; *r != '\0'; r++)
			if (*r != '\n' && *r != '\r' && *r != ' ' && *r != '\t')
				*w++ = *r;
		*w = '\0';
	}
	memset(&hd, 0, sizeof(hd));
	if (seq == NULL || eb_parse_i64(seq, &hd.seq) != EB_OK ||
	    eb_unhex32(hash, hd.hash) != 0 || b64 == NULL ||
	    eb_base64_decode(b64, strlen(b64), &hd.signature,
	    &hd.signature_len) != EB_OK) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-chain-head",
		    "Save the board's page of one aggregate (GET /heads/ID): "
		    "it carries each head's signature.",
		    "a signed chain head on the board's page is malformed or "
		    "has no signature");
		goto out;
	}
	eb_audit_log_add_head(l, &hd);
	(*taken)++;
out:
	free(agg);
	free(seq);
	free(hash);
	free(b64);
	return rc;
}

static int
board_walk(struct eb_audit_log *l, xmlNodePtr n, int *taken,
    struct eb_error *err)
{
	int rc;

	for (; n != NULL; n = n->next) {
		if (is_elem(n, "tr") && (rc = board_row(l, n, taken, err)) !=
		    EB_OK)
			return rc;
		if (n->children != NULL &&
		    (rc = board_walk(l, n->children, taken, err)) != EB_OK)
			return rc;
	}
	return EB_OK;
}

/* The board's HTML page of signed heads. */
static int
add_board_page(struct eb_audit_log *l, const struct eb_buf *b,
    struct eb_error *err)
{
	htmlDocPtr doc;
	int taken = 0, rc;

	if (b->len > (size_t)INT32_MAX)
		return eb_fail(err, EB_ERR_LIMIT, "head-file-too-large", NULL,
		    "the board's page is too large");
	doc = htmlReadMemory((const char *)b->data, (int)b->len, "heads.html",
	    "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING);
	if (doc == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "not-a-head", NULL,
		    "the board's page cannot be read");
	rc = board_walk(l, xmlDocGetRootElement(doc), &taken, err);
	xmlFreeDoc(doc);
	if (rc == EB_OK && taken == 0)
		rc = eb_fail(err, EB_ERR_FORMAT, "not-a-head",
		    "Save the board's page of this aggregate: GET /heads/ID "
		    "on the public board.",
		    "the board's page holds no signed chain head of %s",
		    l->aggregate);
	return rc;
}

/* 1 when the bytes are an HTML page rather than an ebid XML document. */
static int
looks_like_html(const struct eb_buf *b)
{
	size_t n = b->len < 512 ? b->len : 512;

	for (size_t i = 0; i + 5 <= n; i++)
		if (strncasecmp((const char *)b->data + i, "<html", 5) == 0 ||
		    (i + 14 <= n && strncasecmp((const char *)b->data + i,
		    "<!doctype html", 14) == 0))
			return 1;
	return 0;
}

int
eb_audit_add_heads_file(struct eb_audit_log *l, const char *path,
    struct eb_error *err)
{
	struct eb_xml_limits lim = { .max_bytes = HEAD_FILE_MAX,
	    .max_depth = 64, .max_elements = 1000000 };
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	int rc;

	if ((rc = eb_file_read(path, HEAD_FILE_MAX, &b, err)) == EB_OK) {
		if (looks_like_html(&b))
			rc = add_board_page(l, &b, err);
		else if ((rc = eb_xml_parse(NULL, &lim, b.data, b.len, &d,
		    err)) == EB_OK)
			rc = eb_audit_add_heads(l, d, err);
	}
	eb_doc_free(d);
	eb_buf_free(&b);
	if (rc != EB_OK)
		eb_error_detail(err, "in %s", path);
	return rc;
}
