/*
 * tests/fuzz/config_fuzzer.c
 *    Fuzz ebidd's configuration parser, eb_config_parse() (the body of
 *    eb_config_load(), engine/server/config.c), on arbitrary bytes, then
 *    eb_config_check() on what it accepted.
 *
 *    Checks beyond "no crash": a refusal carries a reason; an accepted
 *    file written back as `key = value` lines parses to the same
 *    configuration (every setting survives the round trip), and the
 *    numbers stay in the table's ranges.
 *
 * Owner: the fuzzing engineer.  Corpus: tests/fuzz/config_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server/config.h"
#include "protocol/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
put(struct eb_buf *b, const char *key, const char *value)
{
	if (eb_buf_append(b, key, strlen(key)) != EB_OK ||
	    eb_buf_append(b, " = ", 3) != EB_OK ||
	    eb_buf_append(b, value, strlen(value)) != EB_OK ||
	    eb_buf_append(b, "\n", 1) != EB_OK)
		abort();
}

static void
put_i(struct eb_buf *b, const char *key, int64_t v)
{
	char t[32];

	snprintf(t, sizeof(t), "%lld", (long long)v);
	put(b, key, t);
}

/* The configuration as a file eb_config_parse() reads back. */
static void
write_config(const struct eb_config *c, struct eb_buf *b)
{
	put(b, "listen", c->listen);
	put(b, "ca", c->ca);
	put(b, "cert", c->cert);
	put(b, "key", c->key);
	put(b, "tsa_cert", c->tsa_cert);
	put(b, "tsa_key", c->tsa_key);
	put(b, "db", c->db);
	put(b, "schema_dir", c->schema_dir);
	put(b, "xsd_dir", c->xsd_dir);
	put(b, "pid_file", c->pid_file);
	put(b, "log_file", c->log_file);
	put_i(b, "max_body", c->max_body);
	put_i(b, "idle_timeout", c->idle_timeout);
	put_i(b, "db_connections", c->db_connections);
	put_i(b, "workers", c->workers);
}

static int
same(const struct eb_config *a, const struct eb_config *b)
{
	return strcmp(a->listen, b->listen) == 0 && strcmp(a->ca, b->ca) == 0 &&
	    strcmp(a->cert, b->cert) == 0 && strcmp(a->key, b->key) == 0 &&
	    strcmp(a->tsa_cert, b->tsa_cert) == 0 &&
	    strcmp(a->tsa_key, b->tsa_key) == 0 && strcmp(a->db, b->db) == 0 &&
	    strcmp(a->schema_dir, b->schema_dir) == 0 &&
	    strcmp(a->xsd_dir, b->xsd_dir) == 0 &&
	    strcmp(a->pid_file, b->pid_file) == 0 &&
	    strcmp(a->log_file, b->log_file) == 0 &&
	    a->max_body == b->max_body && a->idle_timeout == b->idle_timeout &&
	    a->db_connections == b->db_connections && a->workers == b->workers;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_config c, back;
	struct eb_error err;
	struct eb_buf b = EB_BUF_INIT;
	char host[256];
	int port, rc;

	if (eb_config_defaults(&c) != EB_OK)
		abort();
	eb_error_clear(&err);
	rc = eb_config_parse(&c, (const char *)data, size, "fuzz.conf", &err);
	if (rc != EB_OK) {
		if (err.reason[0] == '\0' || strncmp(err.primary, "fuzz.conf:",
		    10) != 0)
			abort();
		eb_config_free(&c);
		return 0;
	}
	if (c.max_body < 1024 || c.max_body > ((int64_t)256 << 20) ||
	    c.idle_timeout < 1 || c.idle_timeout > 3600 ||
	    c.db_connections < 1 || c.db_connections > 32 ||
	    c.workers < 0 || c.workers > 16)
		abort();
	if (eb_config_check(&c, &err) == EB_OK &&
	    eb_config_split_listen(c.listen, host, sizeof(host), &port,
	    &err) != EB_OK)
		abort();
	write_config(&c, &b);
	if (eb_config_defaults(&back) != EB_OK ||
	    eb_config_parse(&back, (const char *)b.data, b.len, "back",
	    &err) != EB_OK || !same(&c, &back))
		abort();
	eb_buf_free(&b);
	eb_config_free(&back);
	eb_config_free(&c);
	return 0;
}
