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

/*
 * 's' escaped into 'out': attribute escapes when 'attr', else text ones.
 * EB_ERR_FORMAT when 's' is not UTF-8 of XML characters.
 */
static int
put_escaped(struct eb_buf *out, const char *s, int attr)
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

static int
put_element(struct eb_buf *out, const struct eb_doc *d, const char *ns)
{
	const struct eb_attr *a;
	const struct eb_doc *c;
	int rc;

	if (!eb_xml_name_ok(d->name))
		return EB_ERR_FORMAT;
	if ((rc = eb_buf_append(out, "<", 1)) != EB_OK ||
	    (rc = eb_buf_puts(out, d->name)) != EB_OK)
		return rc;
	if (ns != NULL && ((rc = eb_buf_puts(out, " xmlns=\"")) != EB_OK ||
	    (rc = put_escaped(out, ns, 1)) != EB_OK ||
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
		    (rc = put_escaped(out, a->value, 1)) != EB_OK ||
		    (rc = eb_buf_append(out, "\"", 1)) != EB_OK)
			return rc;
	}
	if ((rc = eb_buf_append(out, ">", 1)) != EB_OK)
		return rc;
	if (d->text != NULL && d->text[0] != '\0') {
		if (d->first != NULL)
			return EB_ERR_FORMAT;              /* mixed content */
		if ((rc = put_escaped(out, d->text, 0)) != EB_OK)
			return rc;
	} else if (d->text != NULL && (rc = put_escaped(out, d->text, 0)) !=
	    EB_OK) {
		return rc;
	}
	for (c = d->first; c != NULL; c = c->next)
		if ((rc = put_element(out, c, NULL)) != EB_OK)
			return rc;
	if ((rc = eb_buf_append(out, "</", 2)) != EB_OK ||
	    (rc = eb_buf_puts(out, d->name)) != EB_OK ||
	    (rc = eb_buf_append(out, ">", 1)) != EB_OK)
		return rc;
	return EB_OK;
}

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
	if ((rc = put_element(out, d, ns)) == EB_ERR_FORMAT) {
		out->len = mark;                   /* nothing appended */
		if (out->data != NULL)
			out->data[mark] = '\0';
	}
	return rc;
}
