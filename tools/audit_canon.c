/*
 * tools/audit_canon.c
 *    An entry's hash from the stored canonical bytes, checked; the direct
 *    canonical writer (protocol/xml.c eb_xml_write_direct, shared with
 *    ebidd's replies); the replay's equality test: see audit_canon.h.
 */
#include "audit_canon.h"

#include <string.h>

#include "protocol/canon.h"
#include "protocol/xml.h"

int
eb_audit_canon_write(const struct eb_doc *d, struct eb_buf *out)
{
	/* the one direct writer, ebidd's replies' too (protocol/xml.h) */
	return eb_xml_write_direct(d, NULL, out);
}

/* Cut 'b' back to 'len' bytes. */
static void
cut(struct eb_buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

static int
same_bytes(const struct eb_buf *b, size_t from, const uint8_t *p,
    size_t len)
{
	return b->len - from == len && (len == 0 ||
	    memcmp(b->data + from, p, len) == 0);
}

/*
 * The stored bytes against libxml2's C14N of the tree (the direct writer
 * could not vouch or did not agree): 1 when equal, 0 when not, < 0 an
 * error code negated.
 */
static int
stored_is_libxml2s(const struct eb_doc *events, const uint8_t *stored,
    size_t len)
{
	struct eb_buf c = EB_BUF_INIT;
	int rc, same;

	if ((rc = eb_canon(events, NULL, &c)) != EB_OK) {
		eb_buf_free(&c);
		return rc == EB_ERR_FORMAT ? 0 : -rc;
	}
	same = same_bytes(&c, 0, stored, len);
	eb_buf_free(&c);
	return same;
}

int
eb_audit_entry_hash(const struct eb_entry *e, const uint8_t *stored,
    size_t len, const uint8_t prev[EB_SHA256_LEN],
    uint8_t hash[EB_SHA256_LEN], int *noncanon)
{
	struct eb_entry head = *e;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *d;
	size_t mark;
	int rc, same;

	*noncanon = 0;
	head.events = NULL;
	d = eb_entry_doc(&head);
	rc = eb_xml_write_direct_start(d, NULL, &b);
	eb_doc_free(d);
	if (rc == EB_ERR_FORMAT || e->events == NULL) {
		/* a field the writer cannot vouch for: libxml2's form whole */
		eb_buf_free(&b);
		if (stored != NULL && e->events != NULL &&
		    (same = stored_is_libxml2s(e->events, stored, len)) <= 0) {
			if (same < 0)
				return -same;
			*noncanon = 1;
			memset(hash, 0, EB_SHA256_LEN);
			return EB_OK;
		}
		return eb_entry_hash(e, prev, hash);
	}
	if (rc != EB_OK)
		goto out;
	mark = b.len;
	rc = eb_audit_canon_write(e->events, &b);
	if (rc != EB_OK && rc != EB_ERR_FORMAT)
		goto out;
	if (stored != NULL) {
		if (rc != EB_OK || !same_bytes(&b, mark, stored, len)) {
			/* libxml2 decides; the bytes hashed are the stored ones */
			if ((same = stored_is_libxml2s(e->events, stored,
			    len)) <= 0) {
				if (same < 0) {
					rc = -same;
					goto out;
				}
				*noncanon = 1;
				memset(hash, 0, EB_SHA256_LEN);
				rc = EB_OK;
				goto out;
			}
			cut(&b, mark);
			if ((rc = eb_buf_append(&b, stored, len)) != EB_OK)
				goto out;
		}
	} else if (rc == EB_ERR_FORMAT) {
		cut(&b, mark);
		if ((rc = eb_canon(e->events, NULL, &b)) != EB_OK)
			goto out;
	}
	if ((rc = eb_buf_append(&b, "</entry>", 8)) != EB_OK)
		goto out;
	eb_chain_link(prev, e->seq, b.data, b.len, hash);
	rc = EB_OK;
out:
	eb_buf_free(&b);
	return rc;
}

/* 1 when 'a' and 'b' are the same tree node for node, in the same order. */
static int
identical(const struct eb_doc *a, const struct eb_doc *b)
{
	const struct eb_attr *x, *y;
	const struct eb_doc *c, *k;

	if (strcmp(a->name, b->name) != 0)
		return 0;
	if ((a->text == NULL) != (b->text == NULL) ||
	    (a->text != NULL && strcmp(a->text, b->text) != 0))
		return 0;
	for (x = a->attrs, y = b->attrs; x != NULL && y != NULL;
	    x = x->next, y = y->next)
		if (strcmp(x->name, y->name) != 0 || x->value == NULL ||
		    y->value == NULL || strcmp(x->value, y->value) != 0)
			return 0;
	if (x != NULL || y != NULL)
		return 0;
	for (c = a->first, k = b->first; c != NULL && k != NULL;
	    c = c->next, k = k->next)
		if (!identical(c, k))
			return 0;
	return c == NULL && k == NULL;
}

/*
 * Identical trees give identical canonical bytes (the form is a function
 * of the tree); the replay compares the recorded events, whose canonical
 * form the hash check has already produced, so eb_doc_equal would say 1.
 * Anything else: eb_doc_equal itself.
 */
int
eb_audit_doc_same(const struct eb_doc *a, const struct eb_doc *b)
{
	if (a != NULL && b != NULL && identical(a, b))
		return 1;
	return eb_doc_equal(a, b);
}
