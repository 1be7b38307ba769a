/*
 * protocol/logdoc.c
 *    An aggregate's log and its exported form: see logdoc.h.
 */
#include "logdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/cms.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"

#define EB_STR_(x) #x
#define EB_STR(x) EB_STR_(x)

struct eb_audit_log *
eb_audit_log_new(const char *aggregate, const char *kind)
{
	struct eb_audit_log *l = eb_calloc(1, sizeof(*l));

	snprintf(l->aggregate, sizeof(l->aggregate), "%s", aggregate);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->declared_entries = -1;
	return l;
}

void
eb_audit_log_free(struct eb_audit_log *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->entries[i].command);
		free(l->entries[i].receipt);
		eb_doc_free(l->entries[i].events);
		free(l->entries[i].events_bytes);
	}
	for (i = 0; i < l->nheads; i++)
		free(l->heads[i].signature);
	eb_audit_log_clear_servers(l);
	free(l->entries);
	free(l->heads);
	free(l);
}

void
eb_audit_log_add(struct eb_audit_log *l, struct eb_audit_entry *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->entries = eb_realloc(l->entries,
		    l->cap * sizeof(*l->entries));
	}
	l->entries[l->n++] = *e;
	memset(e, 0, sizeof(*e));
}

void
eb_audit_log_add_head(struct eb_audit_log *l, struct eb_audit_head *h)
{
	if (l->nheads == l->capheads) {
		l->capheads = l->capheads ? l->capheads * 2 : 16;
		l->heads = eb_realloc(l->heads, l->capheads * sizeof(*l->heads));
	}
	l->heads[l->nheads++] = *h;
	memset(h, 0, sizeof(*h));
}

int
eb_audit_log_add_server(struct eb_audit_log *l, const uint8_t *der,
    size_t len)
{
	for (size_t i = 0; i < l->nservers; i++)
		if (l->server_len[i] == len && memcmp(l->servers[i], der, len) == 0)
			return EB_OK;
	if (l->nservers == EB_AUDIT_SERVERS_MAX)
		return EB_ERR_LIMIT;
	l->servers[l->nservers] = eb_memdup(der, len);
	l->server_len[l->nservers++] = len;
	return EB_OK;
}

void
eb_audit_log_clear_servers(struct eb_audit_log *l)
{
	for (size_t i = 0; i < l->nservers; i++)
		free(l->servers[i]);
	l->nservers = 0;
}

static int
b64_child(const struct eb_doc *d, const char *name, uint8_t **out,
    size_t *len)
{
	const char *t = eb_doc_child_text(d, name);

	*out = NULL;
	*len = 0;
	if (t == NULL)
		return EB_ERR_NOTFOUND;
	return eb_base64_decode(t, strlen(t), out, len);
}

static int
load_entry(const struct eb_doc *x, struct eb_audit_entry *e,
    struct eb_error *err)
{
	const char *s;
	int rc;

	memset(e, 0, sizeof(*e));
	if (eb_doc_attr_i64(x, "seq", &e->seq) != EB_OK ||
	    eb_isotime_parse(eb_doc_attr(x, "time"), &e->time) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-entry",
		    "The export is damaged; export the log again.",
		    "an entry has no valid seq or time");
	snprintf(e->actor.party, sizeof(e->actor.party), "%s",
	    (s = eb_doc_attr(x, "party")) ? s : "");
	snprintf(e->actor.person, sizeof(e->actor.person), "%s",
	    (s = eb_doc_attr(x, "person")) ? s : "");
	snprintf(e->clock, sizeof(e->clock), "%s",
	    (s = eb_doc_attr(x, "clock")) ? s : "system");
	if ((s = eb_doc_attr(x, "rules")) != NULL) {
		int64_t v;

		if (eb_doc_attr_i64(x, "rules", &v) != EB_OK || v < 1 ||
		    v > EB_LOG_RULES_MAX)
			return eb_fail(err, EB_ERR_FORMAT, "bad-entry",
			    "The export is damaged; export the log again.",
			    "entry %lld: rules version '%.16s' is not a number "
			    "from 1 to %d", (long long)e->seq, s,
			    EB_LOG_RULES_MAX);
		e->rules = (int)v;
	}
	if (eb_role_parse(eb_doc_attr(x, "role"), &e->actor.role) != EB_OK ||
	    eb_unhex32(eb_doc_attr(x, "prev-hash"), e->prev) != 0 ||
	    eb_unhex32(eb_doc_attr(x, "hash"), e->hash) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-entry",
		    "The export is damaged; export the log again.",
		    "entry %lld: role or hashes are malformed",
		    (long long)e->seq);
	if ((rc = b64_child(x, "command", &e->command, &e->command_len)) !=
	    EB_OK)
		return eb_fail(err, EB_ERR_FORMAT, "bad-entry", NULL,
		    "entry %lld: the signed command is missing or not base64",
		    (long long)e->seq);
	rc = b64_child(x, "receipt", &e->receipt, &e->receipt_len);
	if (rc != EB_OK && rc != EB_ERR_NOTFOUND) {
		free(e->command);
		return eb_fail(err, EB_ERR_FORMAT, "bad-entry", NULL,
		    "entry %lld: the receipt is not base64", (long long)e->seq);
	}
	if (eb_doc_child(x, "events") == NULL) {
		free(e->command);
		free(e->receipt);
		return eb_fail(err, EB_ERR_FORMAT, "bad-entry", NULL,
		    "entry %lld: no events", (long long)e->seq);
	}
	e->events = eb_doc_clone(eb_doc_child(x, "events"));
	return EB_OK;
}

int
eb_audit_log_from_doc(const struct eb_doc *d, struct eb_audit_log **out,
    struct eb_error *err)
{
	struct eb_audit_log *l = NULL;
	struct eb_audit_entry e;
	struct eb_audit_head h;
	const struct eb_doc *c;
	int rc;

	*out = NULL;
	if (strcmp(d->name, "log") != 0 || eb_doc_attr(d, "aggregate") == NULL ||
	    eb_doc_attr(d, "kind") == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "not-a-log",
		    "Give a file written by 'ebid-audit export'.",
		    "the document is not an exported log");
	if (eb_doc_attr(d, "format") == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "log-format-1",
		    "Verify it with the ebid-audit of its time, or export the "
		    "log again from a current ebidd.",
		    "the export is in log format 1 (no format attribute): its "
		    "entries are hashed in ebid's pre-C14N form, which this "
		    "ebid-audit (format %d, W3C Canonical XML) does not check",
		    EB_LOG_FORMAT);
	if (strcmp(eb_doc_attr(d, "format"), EB_STR(EB_LOG_FORMAT)) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "unknown-log-format",
		    "Use an ebid-audit that knows this format.",
		    "the export is in log format %.16s; this ebid-audit checks "
		    "format %d", eb_doc_attr(d, "format"), EB_LOG_FORMAT);
	l = eb_audit_log_new(eb_doc_attr(d, "aggregate"),
	    eb_doc_attr(d, "kind"));
	if (eb_doc_attr_i64(d, "entries", &l->declared_entries) != EB_OK ||
	    l->declared_entries < 0) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-entry-count",
		    "Give a file written by 'ebid-audit export'.",
		    "the export does not say how many entries it holds "
		    "(<log entries>)");
		goto fail;
	}
	for (c = d->first; c != NULL; c = c->next) {
		if (strcmp(c->name, "entry") == 0) {
			if ((rc = load_entry(c, &e, err)) != EB_OK)
				goto fail;
			eb_audit_log_add(l, &e);
		} else if (strcmp(c->name, "chain-head") == 0) {
			memset(&h, 0, sizeof(h));
			if (eb_doc_attr_i64(c, "seq", &h.seq) != EB_OK ||
			    eb_unhex32(eb_doc_attr(c, "hash"), h.hash) != 0 ||
			    b64_child(c, "signature", &h.signature,
			    &h.signature_len) != EB_OK) {
				rc = eb_fail(err, EB_ERR_FORMAT, "bad-chain-head",
				    NULL, "a signed chain head is malformed");
				goto fail;
			}
			eb_audit_log_add_head(l, &h);
		} else if (strcmp(c->name, "server-certificate") == 0) {
			uint8_t *der = NULL;
			size_t len = 0;
			const char *t = eb_doc_text(c);

			if (t == NULL || eb_base64_decode(t, strlen(t), &der,
			    &len) != EB_OK) {
				rc = eb_fail(err, EB_ERR_FORMAT,
				    "bad-server-certificate", NULL,
				    "a server certificate is not base64");
				goto fail;
			}
			rc = eb_audit_log_add_server(l, der, len);
			free(der);
			if (rc != EB_OK)
				goto fail;
		}
	}
	*out = l;
	return EB_OK;
fail:
	eb_audit_log_free(l);
	return rc;
}

static void
add_b64(struct eb_doc *parent, const char *name, const uint8_t *p,
    size_t n)
{
	char *b = NULL;

	if (eb_base64_encode(p, n, &b) == EB_OK)
		eb_doc_add_text(parent, name, b);
	free(b);
}

struct eb_doc *
eb_audit_log_to_doc(const struct eb_audit_log *l, const char *exported_at)
{
	struct eb_doc *d = eb_doc_new("log"), *x, *h;
	char when[EB_ISOTIME_LEN], hex[EB_SHA256_HEX];
	size_t i;

	eb_doc_set_attr(d, "aggregate", l->aggregate);
	eb_doc_set_attr(d, "kind", l->kind);
	eb_doc_set_attr_i64(d, "format", EB_LOG_FORMAT);
	if (exported_at != NULL)
		eb_doc_set_attr(d, "exported-at", exported_at);
	eb_doc_set_attr_i64(d, "entries", (int64_t)l->n);
	for (i = 0; i < l->n; i++) {
		const struct eb_audit_entry *e = &l->entries[i];

		x = eb_doc_add(d, "entry");
		eb_doc_set_attr_i64(x, "seq", e->seq);
		eb_isotime_format(e->time, when);
		eb_doc_set_attr(x, "time", when);
		eb_doc_set_attr(x, "party", e->actor.party);
		eb_doc_set_attr(x, "role", eb_role_name(e->actor.role));
		eb_doc_set_attr(x, "person", e->actor.person);
		eb_doc_set_attr(x, "clock", e->clock);
		if (e->rules > 0)
			eb_doc_set_attr_i64(x, "rules", e->rules);
		eb_hex32(e->prev, hex);
		eb_doc_set_attr(x, "prev-hash", hex);
		eb_hex32(e->hash, hex);
		eb_doc_set_attr(x, "hash", hex);
		add_b64(x, "command", e->command, e->command_len);
		if (e->receipt != NULL)
			add_b64(x, "receipt", e->receipt, e->receipt_len);
		eb_doc_append(x, eb_doc_clone(e->events));
	}
	for (i = 0; i < l->nheads; i++) {
		h = eb_doc_add(d, "chain-head");
		eb_doc_set_attr_i64(h, "seq", l->heads[i].seq);
		eb_hex32(l->heads[i].hash, hex);
		eb_doc_set_attr(h, "hash", hex);
		add_b64(h, "signature", l->heads[i].signature,
		    l->heads[i].signature_len);
	}
	for (i = 0; i < l->nservers; i++)
		add_b64(d, "server-certificate", l->servers[i],
		    l->server_len[i]);
	return d;
}

