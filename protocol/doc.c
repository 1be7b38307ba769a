/*
 * protocol/doc.c
 *    The plain document tree and its canonical form: see doc.h.
 */
#include "doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/canon.h"
#include "protocol/hash.h"
#include "protocol/mem.h"

/* zeroed, as the tree's nodes need (protocol/mem.h: OOM aborts) */
static void *
xmalloc(size_t n)
{
	return eb_calloc(1, n);
}

#define xstrdup eb_strdup

struct eb_doc *
eb_doc_new(const char *name)
{
	struct eb_doc *d = xmalloc(sizeof(*d));

	d->name = xstrdup(name);
	return d;
}

static void
attrs_free(struct eb_attr *a)
{
	struct eb_attr *n;

	for (; a != NULL; a = n) {
		n = a->next;
		free(a->name);
		free(a->value);
		free(a);
	}
}

void
eb_doc_free(struct eb_doc *d)
{
	struct eb_doc *c, *n;

	if (d == NULL)
		return;
	for (c = d->first; c != NULL; c = n) {
		n = c->next;
		c->parent = NULL;
		eb_doc_free(c);
	}
	attrs_free(d->attrs);
	free(d->name);
	free(d->text);
	free(d->bin);
	free(d);
}

void
eb_doc_append(struct eb_doc *parent, struct eb_doc *child)
{
	child->parent = parent;
	child->next = NULL;
	if (parent->last != NULL)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
}

void
eb_doc_detach(struct eb_doc *child)
{
	struct eb_doc *p = child->parent, *c, *prev = NULL;

	if (p == NULL)
		return;
	for (c = p->first; c != NULL; prev = c, c = c->next) {
		if (c != child)
			continue;
		if (prev != NULL)
			prev->next = c->next;
		else
			p->first = c->next;
		if (p->last == c)
			p->last = prev;
		break;
	}
	child->parent = NULL;
	child->next = NULL;
}

struct eb_doc *
eb_doc_add(struct eb_doc *parent, const char *name)
{
	struct eb_doc *c = eb_doc_new(name);

	eb_doc_append(parent, c);
	return c;
}

struct eb_doc *
eb_doc_add_text(struct eb_doc *parent, const char *name, const char *text)
{
	struct eb_doc *c = eb_doc_add(parent, name);

	eb_doc_set_text(c, text);
	return c;
}

struct eb_doc *
eb_doc_clone(const struct eb_doc *d)
{
	struct eb_doc *n, *c;
	struct eb_attr *a;

	if (d == NULL)
		return NULL;
	n = eb_doc_new(d->name);
	if (d->bin != NULL) {
		/* the bytes, not the text made from them (if any) */
		n->bin = eb_malloc(d->binlen);
		memcpy(n->bin, d->bin, d->binlen);
		n->binlen = d->binlen;
	} else if (d->text != NULL)
		n->text = xstrdup(d->text);
	for (a = d->attrs; a != NULL; a = a->next)
		eb_doc_set_attr(n, a->name, a->value);
	for (c = d->first; c != NULL; c = c->next)
		eb_doc_append(n, eb_doc_clone(c));
	return n;
}

void
eb_doc_set_attr(struct eb_doc *d, const char *name, const char *value)
{
	struct eb_attr **pp, *a;
	int cmp;

	for (pp = &d->attrs; *pp != NULL; pp = &(*pp)->next) {
		cmp = strcmp((*pp)->name, name);
		if (cmp == 0) {
			a = *pp;
			if (value == NULL) {
				*pp = a->next;
				a->next = NULL;
				attrs_free(a);
			} else {
				free(a->value);
				a->value = xstrdup(value);
			}
			return;
		}
		if (cmp > 0)
			break;
	}
	if (value == NULL)
		return;
	a = xmalloc(sizeof(*a));
	a->name = xstrdup(name);
	a->value = xstrdup(value);
	a->next = *pp;
	*pp = a;
}

void
eb_doc_set_attrf(struct eb_doc *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	char small[128], *p = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(small)) {
		p = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	eb_doc_set_attr(d, name, p);
	if (p != small)
		free(p);
}

void
eb_doc_set_attr_i64(struct eb_doc *d, const char *name, int64_t v)
{
	eb_doc_set_attrf(d, name, "%lld", (long long)v);
}

void
eb_doc_set_text(struct eb_doc *d, const char *text)
{
	char *old = d->text;

	/* 'text' may be this element's own (eb_doc_text() of it) */
	d->text = text != NULL ? xstrdup(text) : NULL;
	free(old);
	free(d->bin);
	d->bin = NULL;
	d->binlen = 0;
}

void
eb_doc_set_b64(struct eb_doc *d, uint8_t *bytes, size_t n)
{
	free(d->text);
	d->text = NULL;
	free(d->bin);
	d->bin = NULL;
	d->binlen = 0;
	if (n == 0 || bytes == NULL) {
		free(bytes);
		return;
	}
	if (eb_base64_len(n) == 0)
		eb_oom("the base64 of an element", n);
	d->bin = bytes;
	d->binlen = n;
}

const uint8_t *
eb_doc_b64(const struct eb_doc *d, size_t *n)
{
	if (d == NULL || d->bin == NULL) {
		if (n != NULL)
			*n = 0;
		return NULL;
	}
	if (n != NULL)
		*n = d->binlen;
	return d->bin;
}

const char *
eb_doc_attr(const struct eb_doc *d, const char *name)
{
	const struct eb_attr *a;

	if (d == NULL)
		return NULL;
	for (a = d->attrs; a != NULL; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a->value;
	return NULL;
}

int
eb_parse_i64(const char *s, int64_t *v)
{
	const char *p = s;
	int neg = 0;
	uint64_t acc = 0, lim;

	if (s == NULL)
		return EB_ERR_NOTFOUND;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		return EB_ERR_FORMAT;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return EB_ERR_FORMAT;
		if (acc > (lim - (uint64_t)(*p - '0')) / 10)
			return EB_ERR_FORMAT;
		acc = acc * 10 + (uint64_t)(*p - '0');
	}
	if (neg)
		*v = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		*v = (int64_t)acc;
	return EB_OK;
}

int
eb_doc_attr_i64(const struct eb_doc *d, const char *name, int64_t *v)
{
	return eb_parse_i64(eb_doc_attr(d, name), v);
}

/*
 * The text of an element held as bytes, made once and kept: readers of
 * one tree on several threads may race here, so the first text stored
 * wins (a compare-and-swap) and the others free theirs.
 */
static const char *
text_of_bin(const struct eb_doc *d)
{
	struct eb_doc *w = (struct eb_doc *)d;   /* the cache only */
	char *t = __atomic_load_n(&w->text, __ATOMIC_ACQUIRE), *mine;
	char *expect = NULL;

	if (t != NULL)
		return t;
	mine = eb_malloc(eb_base64_len(d->binlen) + 1);
	eb_base64_put(d->bin, d->binlen, mine);
	if (__atomic_compare_exchange_n(&w->text, &expect, mine, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	free(mine);
	return expect;
}

const char *
eb_doc_text(const struct eb_doc *d)
{
	if (d == NULL)
		return "";
	if (d->bin != NULL)
		return text_of_bin(d);
	return d->text != NULL ? d->text : "";
}

struct eb_doc *
eb_doc_child(const struct eb_doc *d, const char *name)
{
	struct eb_doc *c;

	if (d == NULL)
		return NULL;
	for (c = d->first; c != NULL; c = c->next)
		if (name == NULL || strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

struct eb_doc *
eb_doc_next(const struct eb_doc *c, const char *name)
{
	struct eb_doc *n;

	for (n = c->next; n != NULL; n = n->next)
		if (name == NULL || strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

const char *
eb_doc_child_text(const struct eb_doc *d, const char *name)
{
	struct eb_doc *c = eb_doc_child(d, name);

	return c != NULL ? eb_doc_text(c) : NULL;
}

int
eb_doc_child_i64(const struct eb_doc *d, const char *name, int64_t *v)
{
	return eb_parse_i64(eb_doc_child_text(d, name), v);
}

size_t
eb_doc_count(const struct eb_doc *d, const char *name)
{
	struct eb_doc *c;
	size_t n = 0;

	if (d == NULL)
		return 0;
	for (c = d->first; c != NULL; c = c->next)
		if (name == NULL || strcmp(c->name, name) == 0)
			n++;
	return n;
}

struct eb_doc *
eb_doc_path(const struct eb_doc *d, const char *path)
{
	char part[128];
	const char *p = path, *slash;
	size_t n;

	while (d != NULL && *p != '\0') {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		d = eb_doc_child(d, part);
		p += n;
		if (*p == '/')
			p++;
	}
	return (struct eb_doc *)d;
}

/* The canonical form is W3C Canonical XML 1.0 by libxml2 (canon.h). */
int
eb_doc_serialize(const struct eb_doc *d, struct eb_buf *out)
{
	return eb_canon(d, NULL, out);
}

int
eb_doc_equal(const struct eb_doc *a, const struct eb_doc *b)
{
	struct eb_buf x = EB_BUF_INIT, y = EB_BUF_INIT;
	int eq;

	if (a == NULL || b == NULL)
		return a == b;
	eq = eb_doc_serialize(a, &x) == EB_OK &&
	    eb_doc_serialize(b, &y) == EB_OK && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0;
	eb_buf_free(&x);
	eb_buf_free(&y);
	return eq;
}
