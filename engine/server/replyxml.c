/*
 * engine/server/replyxml.c
 *    A reply's XML written straight from the tree (see replyxml.h).
 *
 * One pass: each string is checked and escaped as it is copied, runs of
 * bytes that need no escape in one append; on a refusal the output is
 * cut back to where it was.
 *
 * INTERFACE: see replyxml.h.
 */
#include "engine/server/replyxml.h"

#include <string.h>

#include "protocol/xml.h"

static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

int
eb_replyxml_write(const struct eb_doc *d, const char *ns,
    struct eb_buf *out)
{
	size_t mark = out->len;
	int rc;

	if (d == NULL)
		return EB_ERR_FORMAT;
	if ((rc = eb_buf_append(out, decl, sizeof(decl) - 1)) != EB_OK)
		return rc;
	if ((rc = eb_xml_write_direct(d, ns, out)) == EB_ERR_FORMAT) {
		out->len = mark;                   /* nothing appended */
		if (out->data != NULL)
			out->data[mark] = '\0';
	}
	return rc;
}

/* -- one element of attributes only, into a fixed buffer ---------------- */

/* 'n' bytes at 'p' to *o, never past 'end'; 0 when they do not fit. */
static int
put_fixed(char **o, const char *end, const void *p, size_t n)
{
	if (n > (size_t)(end - *o))
		return 0;
	memcpy(*o, p, n);
	*o += n;
	return 1;
}

/* The bytes an attribute value copies as they are: printable ASCII but
 * '&', '<' and '"' (bytes above 0x7f are checked as UTF-8). */
static const unsigned char attr_plain[128] = {
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1,
};

/* 's' with the attribute escapes of eb_xml_write_direct(); 0 when refused (not
 * UTF-8 of XML characters) or when it does not fit. */
static int
put_attr_fixed(char **o, const char *end, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	const char *esc;
	size_t n;

	for (;;) {
		unsigned char c = *p;

		if (c < 0x80 && attr_plain[c]) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			if ((n = eb_xml_utf8_char(p)) == 0)
				return 0;
			p += n;
			continue;
		}
		switch (c) {
		case '\0': esc = NULL; break;
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '"': esc = "&quot;"; break;
		case '\t': esc = "&#x9;"; break;
		case '\n': esc = "&#xA;"; break;
		case '\r': esc = "&#xD;"; break;
		default: return 0;                 /* another control character */
		}
		if (!put_fixed(o, end, run, (size_t)(p - run)))
			return 0;
		if (esc == NULL)
			return 1;
		if (!put_fixed(o, end, esc, strlen(esc)))
			return 0;
		run = ++p;
	}
}

size_t
eb_replyxml_flat(char *out, size_t cap, const char *elem, const char *ns,
    const char *const *names, const char *const *values, size_t n)
{
	char *o = out;
	const char *end;
	size_t elen, i;

	if (out == NULL || cap == 0 || elem == NULL || !eb_xml_name_ok(elem))
		return 0;
	end = out + cap - 1;                       /* room for the NUL */
	elen = strlen(elem);
	if (!put_fixed(&o, end, decl, sizeof(decl) - 1) ||
	    !put_fixed(&o, end, "<", 1) || !put_fixed(&o, end, elem, elen))
		return 0;
	if (ns != NULL && (!put_fixed(&o, end, " xmlns=\"", 8) ||
	    !put_attr_fixed(&o, end, ns) || !put_fixed(&o, end, "\"", 1)))
		return 0;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || values[i] == NULL ||
		    !eb_xml_name_ok(names[i]) ||
		    strncmp(names[i], "xml", 3) == 0 ||
		    (i + 1 < n && (names[i + 1] == NULL ||
		    strcmp(names[i], names[i + 1]) >= 0)))
			return 0;
		if (!put_fixed(&o, end, " ", 1) ||
		    !put_fixed(&o, end, names[i], strlen(names[i])) ||
		    !put_fixed(&o, end, "=\"", 2) ||
		    !put_attr_fixed(&o, end, values[i]) ||
		    !put_fixed(&o, end, "\"", 1))
			return 0;
	}
	if (!put_fixed(&o, end, "></", 3) || !put_fixed(&o, end, elem, elen) ||
	    !put_fixed(&o, end, ">", 1))
		return 0;
	*o = '\0';
	return (size_t)(o - out);
}

/* -- an accepted command's log bytes ------------------------------------ */

int
eb_replyxml_events(const struct eb_doc *events, struct eb_buf *out)
{
	size_t mark = out->len;
	int rc;

	if ((rc = eb_xml_write_direct(events, NULL, out)) != EB_ERR_FORMAT)
		return rc;
	out->len = mark;                  /* libxml2 decides the whole */
	if (out->data != NULL)
		out->data[mark] = '\0';
	return eb_doc_serialize(events, out);
}

int
eb_replyxml_entry_hash(const struct eb_entry *e,
    const uint8_t *events_bytes, size_t len,
    const uint8_t prev[EB_SHA256_LEN], uint8_t hash[EB_SHA256_LEN])
{
	struct eb_entry head = *e;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d;
	int rc;

	if (e->events == NULL)
		return eb_entry_hash(e, prev, hash);
	head.events = NULL;
	d = eb_entry_doc(&head);
	rc = eb_xml_write_direct_start(d, NULL, &b);
	eb_doc_free(d);
	if (rc == EB_ERR_FORMAT) {
		eb_buf_free(&b);
		return eb_entry_hash(e, prev, hash);
	}
	if (rc == EB_OK && (rc = eb_buf_append(&b, events_bytes, len)) ==
	    EB_OK && (rc = eb_buf_append(&b, "</entry>", 8)) == EB_OK)
		eb_chain_link(prev, e->seq, b.data, b.len, hash);
	eb_buf_free(&b);
	return rc;
}
