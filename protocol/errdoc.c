/*
 * protocol/errdoc.c
 *    The XML error document (contract in protocol/errdoc.h, schema in
 *    protocol/xsd/error.xsd):
 *
 *    <error code="state" reason="not-allowed-in-state" status="409"
 *           request-id="r-17">
 *      <message>...</message><detail>...</detail><hint>...</hint>
 *    </error>
 *
 * Owner: the XML/protocol engineer.
 *
 * Invariants:
 *    - What eb_errdoc_build() returns is valid against error.xsd for any
 *      struct eb_error: code is eb_strerror() of the code (a code that is
 *      not an error becomes "internal"), status is eb_error_status(e)
 *      (the registry's, protocol/reasons.txt) or, for such a code,
 *      eb_http_status(EB_ERR_INTERNAL),
 *      a reason that is not a token ([a-z0-9]+(-[a-z0-9]+)*, at most 47
 *      bytes) is replaced by the code's name, a request id that is not an
 *      eb:id is left out, and the texts are made valid UTF-8 of XML
 *      characters (an invalid byte becomes '?', a control character a
 *      space: snprintf may have cut a character in half).
 *    - <message> is always present; <detail> and <hint> only when not
 *      empty.
 *    - eb_errdoc_read(eb_errdoc_build(e)) gives back e's code, reason and
 *      texts (after the repairs above).
 *
 * INTERFACE
 *    eb_errdoc_build() - struct eb_error -> <error> tree (caller frees)
 *    eb_errdoc_read()  - <error> tree -> struct eb_error
 */
#include "protocol/errdoc.h"
#include "protocol/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The codes an error document may carry (error.xsd eb:error-code). */
static const int error_codes[] = {
	EB_AGAIN, EB_ERR_INTERNAL, EB_ERR_NOMEM, EB_ERR_LIMIT, EB_ERR_FORMAT,
	EB_ERR_STATE, EB_ERR_DENIED, EB_ERR_DB, EB_ERR_CRYPTO,
	EB_ERR_NOTFOUND, EB_ERR_CONFLICT, EB_ERR_RULE, EB_ERR_TIME, EB_ERR_IO,
	EB_ERR_USAGE,
};

static int
known_code(int code)
{
	size_t i;

	for (i = 0; i < sizeof(error_codes) / sizeof(error_codes[0]); i++)
		if (error_codes[i] == code)
			return 1;
	return 0;
}

static int
valid_reason(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 47 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (s[i] == '-' && s[i + 1] != '-')
			continue;
		return 0;
	}
	return 1;
}

/* eb:id: [A-Za-z0-9._:-]{1,64} */
static int
valid_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ||
		    s[i] == ':' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * Copy 's' (at most 'cap' - 1 bytes are read from a char array that may
 * lack its NUL) into a new string of valid UTF-8 made of XML characters.
 */
static char *
clean_text(const char *s, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, cap), i = 0, o = 0, k, len;
	unsigned long cp;
	char *r = eb_malloc(n + 1);

	while (i < n) {
		if (p[i] < 0x80) {
			r[o++] = p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\r' ? ' ' : (char)p[i];
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 3;
			cp = p[i] & 0x07;
		} else {
			goto bad;
		}
		if (i + len >= n)
			goto bad;   /* cut short */
		for (k = 1; k <= len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 1 && cp < 0x80) || (len == 2 && cp < 0x800) ||
		    (len == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe ||
		    cp == 0xffff)
			goto bad;
		memcpy(r + o, p + i, len + 1);
		o += len + 1;
		i += len + 1;
		continue;
bad:
		r[o++] = '?';
		i++;
	}
	r[o] = '\0';
	return r;
}

static void
add_text(struct eb_doc *d, const char *name, const char *s, size_t cap,
    int always)
{
	char *t;

	if (!always && strnlen(s, cap) == 0)
		return;
	t = clean_text(s, cap);
	eb_doc_add_text(d, name, t);
	free(t);
}

/*
 * The error 'e' as an <error> tree, valid against error.xsd (repairs in the
 * header above).  Returns a new tree the caller owns (eb_doc_free); aborts
 * on out-of-memory like every eb_doc builder.  'request_id' may be NULL.
 */
struct eb_doc *
eb_errdoc_build(const struct eb_error *e, const char *request_id)
{
	struct eb_doc *d = eb_doc_new("error");
	int code = known_code(e->code) ? e->code : EB_ERR_INTERNAL;
	char reason[sizeof(e->reason)];

	snprintf(reason, sizeof(reason), "%.*s", (int)sizeof(e->reason) - 1,
	    e->reason);
	eb_doc_set_attr(d, "code", eb_strerror(code));
	eb_doc_set_attr(d, "reason",
	    valid_reason(reason) ? reason : eb_strerror(code));
	eb_doc_set_attr_i64(d, "status", code == e->code ?
	    eb_error_status(e) : eb_http_status(code));
	if (request_id != NULL && valid_id(request_id))
		eb_doc_set_attr(d, "request-id", request_id);
	add_text(d, "message", e->primary, sizeof(e->primary), 1);
	add_text(d, "detail", e->detail, sizeof(e->detail), 0);
	add_text(d, "hint", e->hint, sizeof(e->hint), 0);
	return d;
}

/*
 * Fill 'e' from an <error> tree (texts cut to the eb_error sizes).
 * Returns EB_OK, or EB_ERR_FORMAT (and 'e' untouched) when 'd' is not an
 * error document: another root, no code/reason/message, unknown code.
 */
int
eb_errdoc_read(const struct eb_doc *d, struct eb_error *e)
{
	const char *code, *reason, *message;
	size_t i;
	int c = 0;

	if (d == NULL || strcmp(d->name, "error") != 0)
		return EB_ERR_FORMAT;
	code = eb_doc_attr(d, "code");
	reason = eb_doc_attr(d, "reason");
	message = eb_doc_child_text(d, "message");
	if (code == NULL || reason == NULL || message == NULL)
		return EB_ERR_FORMAT;
	for (i = 0; i < sizeof(error_codes) / sizeof(error_codes[0]); i++)
		if (strcmp(eb_strerror(error_codes[i]), code) == 0)
			c = error_codes[i];
	if (c == 0)
		return EB_ERR_FORMAT;
	eb_error_clear(e);
	e->code = c;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->primary, sizeof(e->primary), "%s", message);
	snprintf(e->detail, sizeof(e->detail), "%s",
	    eb_doc_child_text(d, "detail") != NULL ?
	    eb_doc_child_text(d, "detail") : "");
	snprintf(e->hint, sizeof(e->hint), "%s",
	    eb_doc_child_text(d, "hint") != NULL ?
	    eb_doc_child_text(d, "hint") : "");
	return EB_OK;
}
