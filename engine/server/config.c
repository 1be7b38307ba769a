/*
 * engine/server/config.c
 *    The configuration table and its parser (see config.h).
 *
 * The table below is the single source of the keys: each row names the
 * key, its type, where it is stored, its default and its bounds.  The
 * documentation (docs/operations-server.md) repeats it row for row.
 *
 * INTERFACE: see config.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server/config.h"
#include "protocol/cms.h"
#include "protocol/doc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"

enum cf_type { CF_STR, CF_INT };

struct cf_key {
	const char *name;
	enum cf_type type;
	size_t off;
	const char *def;
	int64_t min, max;      /* CF_INT only */
	int required;
};

#define STR(n, d, req) { #n, CF_STR, offsetof(struct eb_config, n), d, 0, 0, req }
#define INT(n, d, lo, hi) { #n, CF_INT, offsetof(struct eb_config, n), d, lo, hi, 0 }

static const struct cf_key cf_keys[] = {
	/* the aggregate cache's memory, estimated (aggs.h): 256 MiB */
	INT(cache_bytes, "268435456", 0, (int64_t)1 << 40),
	STR(ca, "", 1),
	STR(cert, "", 1),
	INT(command_budget_ms, "2000", 10, 600000),
	STR(crl, "", 0),
	/* OCSP (ocspclient.h): off, responder (ocsp_responder), aia; ""
	 * = responder when ocsp_responder is set, else off */
	STR(ocsp, "", 0),
	STR(ocsp_responder, "", 0),
	STR(ocsp_soft_fail, "no", 1),
	INT(ocsp_timeout, "5", 1, 60),
	INT(ocsp_max_age, "300", 0, 7 * 86400),
	INT(ocsp_cache_entries, "10000", 16, 10000000),
	INT(db_connections, "4", 1, 32),
	STR(db, "", 0),
	/* least privilege (docs/operations.md): migrations as the owner */
	STR(migrate_db, "", 0),
	INT(migrate_at_start, "1", 0, 1),
	INT(idle_timeout, "60", 1, 3600),
	STR(key, "", 1),
	STR(listen, "127.0.0.1:8443", 1),
	STR(log_file, "", 0),
	INT(max_body, "8388608", 1024, (int64_t)256 << 20),
	/* a raise its sale's floor hint refuses is decided before its
	 * signature is checked (commands.c, docs/protocol.md); 2: every
	 * raise is taken for stale (tests: the check after the decision) */
	INT(early_refusal, "1", 0, 2),
	/* process monitoring (monitoring.h): the monitor ebidd reports to */
	STR(monitor, "", 0),
	/* the opening authority: issues the tenders' opening certificates */
	STR(opening_authority_cert, "", 0),
	STR(opening_authority_key, "", 0),
	STR(pages_dir, "engine/server/pages", 1),
	STR(pid_file, "", 0),
	INT(public_burst, "60", 1, 100000),
	STR(public_listen, "", 0),
	INT(public_rate, "20", 1, 100000),
	STR(schema_dir, "schema", 1),
	/* privilege separation (keyproc.c): the key that signs for the
	 * server when it is not the TLS key; the network process's user */
	STR(signing_cert, "", 0),
	STR(signing_key, "", 0),
	STR(user, "ebid", 1),
	/* the key process's user (started as root; empty: it stays root) */
	STR(key_user, "", 0),
	INT(syscall_filter, "1", 0, 1),
	INT(signing_max_age, "86400", 60, 31 * 86400),
	INT(signing_max_ahead, "300", 0, 86400),
	STR(tsa_cert, "", 0),
	STR(tsa_key, "", 0),
	INT(workers, "2", 0, 16),
	STR(xsd_dir, "protocol/xsd", 1),
	INT(xml_max_attributes, "64", 1, 100000),
	INT(xml_max_namespaces, "16", 1, 100000),
	INT(xml_max_nodes, "200000", 100, 50000000),
	INT(xml_max_text, "4194304", 1024, (int64_t)256 << 20),
	/* connections: caps and the whole-request deadline */
	INT(max_connections, "0", 0, 1000000),
	INT(max_connections_per_address, "64", 0, 1000000),
	INT(refuse_connections_above, "0", 0, 1000000),
	INT(request_timeout, "60", 1, 3600),
	/* log trust (docs/audit.md): who may act as the system, how often
	 * chain heads are signed */
	STR(system_certs, "", 0),
	INT(head_every_entries, "64", 1, 1000000),
	INT(head_every_seconds, "60", 1, 86400),
	/* operations (issue 19): the metrics listener, the log's form, the
	 * open-data identifiers */
	STR(metrics_listen, "", 0),
	STR(log_format, "text", 1),
	STR(ocds_prefix, "ocds-ebid00", 1),
	STR(ocds_publisher, "ebid", 1),
	/* large bids (issue 18, docs/bigbids.md): the envelope store and
	 * the upload limits */
	STR(envelope_dir, "var/envelopes", 1),
	INT(upload_max_size, "536870912", 1024, (int64_t)1 << 40),
	INT(upload_tender_quota, "21474836480", 1024, (int64_t)1 << 50),
	INT(upload_min_free, "268435456", 0, (int64_t)1 << 50),
	INT(upload_threads, "4", 0, 16),
	INT(envelope_grace, "604800", 0, (int64_t)1 << 31),
};

static const struct cf_key *
cf_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cf_keys) / sizeof(cf_keys[0]); i++)
		if (strcmp(cf_keys[i].name, name) == 0)
			return &cf_keys[i];
	return NULL;
}

static int
cf_assign(struct eb_config *c, const struct cf_key *k, const char *value,
    struct eb_error *err)
{
	char *base = (char *)c;

	if (k->type == CF_STR) {
		char **slot = (char **)(base + k->off);
		char *copy = eb_strdup(value);

		free(*slot);
		*slot = copy;
	} else {
		int64_t v;

		if (eb_parse_i64(value, &v) != EB_OK || v < k->min || v > k->max)
			return eb_fail(err, EB_ERR_USAGE, "bad-setting",
			    "Give a whole number in the documented range.",
			    "%s must be a whole number from %lld to %lld, not "
			    "\"%s\"", k->name, (long long)k->min,
			    (long long)k->max, value);
		*(int64_t *)(base + k->off) = v;
	}
	return EB_OK;
}

int
eb_config_set(struct eb_config *c, const char *key, const char *value,
    struct eb_error *err)
{
	const struct cf_key *k = cf_find(key);

	if (k == NULL)
		return eb_fail(err, EB_ERR_USAGE, "unknown-setting",
		    "See docs/operations-server.md for the settings.",
		    "unknown setting \"%s\"", key);
	return cf_assign(c, k, value, err);
}

int
eb_config_defaults(struct eb_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(cf_keys) / sizeof(cf_keys[0]); i++)
		if (cf_assign(c, &cf_keys[i], cf_keys[i].def, NULL) != EB_OK)
			return EB_ERR_INTERNAL;     /* a default out of range */
	return EB_OK;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * The parser proper, on 'len' bytes of text (any bytes: a NUL is refused,
 * a last line without '\n' is read); 'origin' names the source in the
 * messages ("path:line: ...").
 */
int
eb_config_parse(struct eb_config *c, const char *text, size_t len,
    const char *origin, struct eb_error *err)
{
	char line[4096];
	size_t pos = 0;
	int lineno = 0, rc = EB_OK;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *eq, *key, *val;

		lineno++;
		if (n >= sizeof(line))
			return eb_fail(err, EB_ERR_USAGE, "config-line-too-long",
			    NULL, "%s:%d: line longer than 4095 bytes", origin,
			    lineno);
		if (memchr(text + pos, '\0', n) != NULL)
			return eb_fail(err, EB_ERR_USAGE, "config-syntax",
			    "The configuration is text: `key = value` lines.",
			    "%s:%d: NUL byte in the line", origin, lineno);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL)
			return eb_fail(err, EB_ERR_USAGE, "config-syntax",
			    "Write each setting as `key = value`.",
			    "%s:%d: expected `key = value`", origin, lineno);
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if ((rc = eb_config_set(c, key, val, err)) != EB_OK) {
			char msg[sizeof(err->primary)], full[1024];
			if (err != NULL) {
				snprintf(msg, sizeof(msg), "%s", err->primary);
				snprintf(full, sizeof(full), "%s:%d: %s", origin,
				    lineno, msg);
				snprintf(err->primary, sizeof(err->primary),
				    "%.*s", (int)sizeof(err->primary) - 1, full);
			}
			return rc;
		}
	}
	return EB_OK;
}

int
eb_config_load(struct eb_config *c, const char *path, struct eb_error *err)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	if ((f = fopen(path, "r")) == NULL)
		return eb_fail(err, EB_ERR_IO, "config-unreadable",
		    "Give the path of an existing file with --config.",
		    "cannot read configuration %s: %s", path, strerror(errno));
	do {
		if (len == cap) {
			char *p = cap < ((size_t)1 << 20) ?
			    eb_realloc(text, cap = cap * 2 + 4096) : NULL;

			if (p == NULL) {
				free(text);
				fclose(f);
				return eb_fail(err, EB_ERR_USAGE, "config-too-large",
				    NULL, "%s: configuration over 1 MiB", path);
			}
			text = p;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(text);
		fclose(f);
		return eb_fail(err, EB_ERR_IO, "config-unreadable", NULL,
		    "cannot read configuration %s", path);
	}
	fclose(f);
	rc = eb_config_parse(c, text, len, path, err);
	free(text);
	return rc;
}

int
eb_config_check(const struct eb_config *c, struct eb_error *err)
{
	char host[256];
	int port;

	for (size_t i = 0; i < sizeof(cf_keys) / sizeof(cf_keys[0]); i++) {
		const struct cf_key *k = &cf_keys[i];
		const char *v;

		if (k->type != CF_STR || !k->required)
			continue;
		v = *(char *const *)((const char *)c + k->off);
		if (v == NULL || *v == '\0')
			return eb_fail(err, EB_ERR_USAGE, "missing-setting",
			    "Add it to the configuration file "
			    "(docs/operations-server.md).",
			    "the setting \"%s\" is required", k->name);
	}
	if (strcmp(c->log_format, "text") != 0 &&
	    strcmp(c->log_format, "json") != 0)
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "Write log_format = text or log_format = json.",
		    "log_format \"%s\" is neither text nor json", c->log_format);
	if (*c->ocsp != '\0' && strcmp(c->ocsp, "off") != 0 &&
	    strcmp(c->ocsp, "responder") != 0 && strcmp(c->ocsp, "aia") != 0)
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "Write ocsp = off, ocsp = responder (with ocsp_responder) "
		    "or ocsp = aia.", "ocsp \"%s\" is none of off, responder, "
		    "aia", c->ocsp);
	if (strcmp(c->ocsp_soft_fail, "yes") != 0 &&
	    strcmp(c->ocsp_soft_fail, "no") != 0)
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "Write ocsp_soft_fail = yes or ocsp_soft_fail = no.",
		    "ocsp_soft_fail \"%s\" is neither yes nor no",
		    c->ocsp_soft_fail);
	if (strncmp(c->ocds_prefix, "ocds-", 5) != 0 ||
	    strlen(c->ocds_prefix) != 11 ||
	    strspn(c->ocds_prefix + 5, "abcdefghijklmnopqrstuvwxyz0123456789") != 6)
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "An OCDS prefix is \"ocds-\" and the 6 characters the "
		    "Open Contracting Partnership registered for the centre.",
		    "ocds_prefix \"%s\" is not ocds-XXXXXX", c->ocds_prefix);
	if ((*c->tsa_cert == '\0') != (*c->tsa_key == '\0'))
		return eb_fail(err, EB_ERR_USAGE, "missing-setting",
		    "Set both tsa_cert and tsa_key, or neither.",
		    "tsa_cert and tsa_key go together");
	if ((*c->signing_cert == '\0') != (*c->signing_key == '\0'))
		return eb_fail(err, EB_ERR_USAGE, "missing-setting",
		    "Set both signing_cert and signing_key, or neither.",
		    "signing_cert and signing_key go together");
	return eb_config_split_listen(c->listen, host, sizeof(host), &port, err);
}

int
eb_config_split_listen(const char *listen, char *host, size_t hostcap,
    int *port, struct eb_error *err)
{
	const char *colon = strrchr(listen, ':');
	const char *h = listen;
	size_t hl;
	int64_t p;

	if (colon == NULL || eb_parse_i64(colon + 1, &p) != EB_OK || p < 1 ||
	    p > 65535)
		goto bad;
	hl = (size_t)(colon - listen);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= hostcap)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (int)p;
	return EB_OK;
bad:
	return eb_fail(err, EB_ERR_USAGE, "bad-setting",
	    "Write listen as HOST:PORT, e.g. 127.0.0.1:8443.",
	    "listen \"%s\" is not HOST:PORT", listen);
}

void
eb_config_xml_limits(const struct eb_config *c, struct eb_xml_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_bytes = (size_t)c->max_body;
	lim->max_attributes = (unsigned)c->xml_max_attributes;
	lim->max_namespaces = (unsigned)c->xml_max_namespaces;
	lim->max_nodes = (size_t)c->xml_max_nodes;
	lim->max_text = (size_t)c->xml_max_text;
}

void
eb_config_signing_window(const struct eb_config *c, int64_t at_ms,
    int64_t alt_ms, struct eb_cms_window *w)
{
	w->at_ms = at_ms;
	w->alt_ms = alt_ms;
	w->max_age_ms = c->signing_max_age * 1000;
	w->max_ahead_ms = c->signing_max_ahead * 1000;
}

void
eb_config_free(struct eb_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < sizeof(cf_keys) / sizeof(cf_keys[0]); i++) {
		if (cf_keys[i].type == CF_STR) {
			char **slot = (char **)((char *)c + cf_keys[i].off);
			free(*slot);
			*slot = NULL;
		}
	}
}
