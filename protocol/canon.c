/*
 * protocol/canon.c
 *    The canonical form, by libxml2's C14N: see canon.h.
 */
#include "protocol/canon.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>

#include "protocol/hash.h"
#include "protocol/mem.h"

static void *
must(void *p)
{
	if (p == NULL)
		eb_oom("libxml2 tree", 0);
	return p;
}

static void
indent(xmlDocPtr doc, xmlNodePtr parent, unsigned level)
{
	char sp[2 + 2 * 64];
	unsigned n = level > 64 ? 64 : level;

	sp[0] = '\n';
	memset(sp + 1, ' ', 2 * n);
	sp[1 + 2 * n] = '\0';
	must(xmlAddChild(parent, must(xmlNewDocText(doc, (const xmlChar *)sp))));
}

/*
 * 'd' as a new element of 'doc' (under 'parent' when not NULL); 'ns' is
 * the namespace of every element (NULL: none).  Pretty mode puts each
 * child element on its own line, indented two spaces a level.
 */
static xmlNodePtr
build(xmlDocPtr doc, xmlNodePtr parent, xmlNsPtr *ns, const char *href,
    const struct eb_doc *d, int pretty, unsigned level)
{
	xmlNodePtr n = must(xmlNewDocNode(doc, NULL, (const xmlChar *)d->name,
	    NULL));
	const struct eb_attr *a;
	const struct eb_doc *c;

	if (parent == NULL) {
		(void)xmlDocSetRootElement(doc, n);
		if (href != NULL)
			*ns = must(xmlNewNs(n, (const xmlChar *)href, NULL));
	} else {
		must(xmlAddChild(parent, n));
	}
	if (*ns != NULL)
		xmlSetNs(n, *ns);
	for (a = d->attrs; a != NULL; a = a->next)
		must(xmlSetProp(n, (const xmlChar *)a->name,
		    (const xmlChar *)a->value));
	if (d->bin != NULL && (!pretty || d->first == NULL)) {
		/* text held as bytes (doc.h): its base64, made here and not
		 * kept in the tree; libxml2 copies it into its node */
		size_t len = eb_base64_len(d->binlen);
		char *t = eb_malloc(len + 1);

		eb_base64_put(d->bin, d->binlen, t);
		if (len > INT_MAX)
			eb_oom("libxml2 text node", len);
		must(xmlAddChild(n, must(xmlNewDocTextLen(doc,
		    (const xmlChar *)t, (int)len))));
		free(t);
	} else if (d->text != NULL && d->text[0] != '\0' &&
	    (!pretty || d->first == NULL))
		must(xmlAddChild(n, must(xmlNewDocText(doc,
		    (const xmlChar *)d->text))));
	for (c = d->first; c != NULL; c = c->next) {
		if (pretty)
			indent(doc, n, level + 1);
		(void)build(doc, n, ns, href, c, pretty, level + 1);
	}
	if (pretty && d->first != NULL)
		indent(doc, n, level);
	return n;
}

static int
canon(const struct eb_doc *d, const char *ns, int pretty, struct eb_buf *out)
{
	xmlDocPtr doc = must(xmlNewDoc((const xmlChar *)"1.0"));
	xmlNsPtr nsp = NULL;
	xmlChar *bytes = NULL;
	int len, rc;

	(void)build(doc, NULL, &nsp, ns, d, pretty, 0);
	len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, &bytes);
	if (len < 0 || bytes == NULL)
		rc = EB_ERR_FORMAT;
	else
		rc = eb_buf_append(out, bytes, (size_t)len);
	xmlFree(bytes);
	xmlFreeDoc(doc);
	return rc;
}

int
eb_canon(const struct eb_doc *d, const char *ns, struct eb_buf *out)
{
	return canon(d, ns, 0, out);
}

int
eb_canon_pretty(const struct eb_doc *d, const char *ns, struct eb_buf *out)
{
	return canon(d, ns, 1, out);
}
