/*
 * engine/server/config.h
 *    ebidd's configuration: a documented table of `key = value` settings
 *    (docs/operations-server.md), read from one file, then overridden by
 *    command-line flags.  Immutable once loaded.
 *
 * Owns: struct eb_config (eb_config_free()).
 *
 * INTERFACE
 *    eb_config_defaults() - a config with every default
 *    eb_config_load()     - read a file over the current values
 *    eb_config_parse()    - the same on text in memory (fuzzed)
 *    eb_config_set()      - set one key (used for flags too)
 *    eb_config_check()    - required keys present, values in range
 *    eb_config_free()     - release the strings (NULL-safe)
 *    eb_config_xml_limits(), eb_config_signing_window() - the intake
 *                           bounds as protocol/ structures
 */
#ifndef EB_SERVER_CONFIG_H
#define EB_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/err.h"

struct eb_config {
	char *listen;          /* "127.0.0.1:8443" */
	char *ca;              /* CA certificate(s), PEM */
	char *crl;             /* CRL file or folder ("" = none); SIGHUP reloads */
	char *ocsp;            /* off, responder, aia ("": responder if set) */
	char *ocsp_responder;  /* http:// URL of the centre's responder */
	char *ocsp_soft_fail;  /* yes: allowed without an answer; no: 503 */
	int64_t ocsp_timeout;  /* s for one query */
	int64_t ocsp_max_age;  /* s an answer without nextUpdate is kept */
	int64_t ocsp_cache_entries; /* answers kept */
	char *cert;            /* server certificate chain, PEM */
	char *key;             /* server private key, PEM */
	char *tsa_cert;        /* TSA certificate (optional until receipts) */
	char *opening_authority_cert; /* sub-CA of the opening certificates */
	char *opening_authority_key;  /* ... its key ("" = the server's, no path) */
	char *tsa_key;
	char *signing_cert;    /* signs for the server ("" = cert): keyproc.c */
	char *signing_key;     /* ... its key, read by the key process only */
	char *user;            /* the network process runs as this user */
	char *key_user;        /* the key process's ("": keeps its start user) */
	int64_t syscall_filter; /* 1: the seccomp allow-list (privdrop.c) */
	char *db;              /* libpq conninfo ("" = PG* environment) */
	char *migrate_db;      /* conninfo of the schema owner for migrations
	                        * and --rebuild; "" = db */
	int64_t migrate_at_start; /* 1: migrate at every start; 0: refuse to
	                           * start while a migration is pending */
	char *schema_dir;      /* folder of NNNN_*.sql */
	char *xsd_dir;         /* folder holding ebid.xsd */
	char *pid_file;        /* "" = none */
	char *log_file;        /* "" = stderr */
	int64_t max_body;      /* bytes; default 8 MiB */
	int64_t early_refusal; /* 1: a stale raise is refused before its
	                        * signature is checked; default 1; 2: every
	                        * raise taken for stale (tests) */
	int64_t idle_timeout;  /* seconds; default 60 */
	int64_t db_connections;/* default 4 */
	int64_t workers;       /* verify/parse threads; default 2, 0 = inline */
	char *public_listen;   /* the public board (board.c); "" = off */
	char *pages_dir;       /* folder of the board's stylesheet and files */
	char *monitor;         /* the monitor ebidd reports to ("" = none) */
	int64_t public_rate;   /* board requests per second per address */
	int64_t public_burst;  /* ... and the burst allowed */
	/* Intake bounds (issue 20 points 2 and 10; docs/operations-server.md) */
	int64_t xml_max_attributes;  /* per element; default 64 */
	int64_t xml_max_namespaces;  /* xmlns declarations; default 16 */
	int64_t xml_max_nodes;       /* default 200000 */
	int64_t xml_max_text;        /* bytes of one text; default 4 MiB */
	int64_t command_budget_ms;   /* a verify/parse job longer: degraded */
	int64_t signing_max_age;     /* s a command's signing time may lag */
	int64_t signing_max_ahead;   /* s it may lead the server's clock */
	/* Connections (engine/server/conns.c, docs/operations-server.md). */
	int64_t max_connections;  /* open at once; 0 = RLIMIT_NOFILE - reserve */
	int64_t max_connections_per_address; /* per client IP; 0 = no cap */
	int64_t refuse_connections_above; /* 503 too-many-connections; 0 = off */
	int64_t request_timeout;  /* seconds to receive one whole request */
	char *system_certs;    /* other server certificates of the centre, "a.crt,b.crt" */
	int64_t head_every_entries; /* sign a chain head at every Nth seq; default 64 */
	int64_t cache_bytes;   /* the aggregate cache, estimated bytes (aggs.h) */
	int64_t head_every_seconds; /* ... and every T s for heads left unsigned; 60 */
	/* Operations (docs/operations-server.md, issue 19) */
	char *metrics_listen;  /* GET /metrics: "PORT" (loopback) or HOST:PORT; "" = off */
	char *log_format;      /* "text" or "json" (one object per line) */
	char *ocds_prefix;     /* OCDS ocid prefix, "ocds-" + 6 registered chars */
	char *ocds_publisher;  /* OCDS publisher name of the packages */
	char *envelope_dir;    /* the envelope store (envstore.h) */
	int64_t upload_max_size;     /* bytes of one envelope; 512 MiB */
	int64_t upload_tender_quota; /* bytes of open uploads per tender */
	int64_t upload_min_free;     /* bytes the store's disk keeps free */
	int64_t upload_threads;      /* chunk writers; 4, 0 = the workers */
	int64_t envelope_grace;      /* s before an unnamed envelope goes */
};

struct eb_xml_limits;
struct eb_cms_window;

/* Fill 'c' with the defaults (strings allocated). */
int eb_config_defaults(struct eb_config *c) EB_MUSTCHECK;
/*
 * Read 'path': lines `key = value`, '#' comments, blank lines.  Unknown
 * keys and malformed lines are errors naming the file and line.  Returns
 * EB_OK or EB_ERR_USAGE / EB_ERR_IO with 'err'.
 */
int eb_config_load(struct eb_config *c, const char *path,
    struct eb_error *err) EB_MUSTCHECK;
/* eb_config_load() on 'len' bytes of text; 'origin' names it in errors. */
int eb_config_parse(struct eb_config *c, const char *text, size_t len,
    const char *origin, struct eb_error *err) EB_MUSTCHECK;
/* Set 'key' to 'value' (the same parsing as the file). */
int eb_config_set(struct eb_config *c, const char *key, const char *value,
    struct eb_error *err) EB_MUSTCHECK;
/* Every required key set and every number in range; EB_ERR_USAGE if not. */
int eb_config_check(const struct eb_config *c, struct eb_error *err)
    EB_MUSTCHECK;
void eb_config_free(struct eb_config *c);

/* The XML limits of a signed command (protocol/xml.h) from 'c'. */
void eb_config_xml_limits(const struct eb_config *c,
    struct eb_xml_limits *lim);
/* The signing-time window of a command received at 'at_ms' (cms.h). */
void eb_config_signing_window(const struct eb_config *c, int64_t at_ms,
    int64_t alt_ms, struct eb_cms_window *w);

/* Split "host:port" ("[v6]:port" too) into host and port. */
int eb_config_split_listen(const char *listen, char *host, size_t hostcap,
    int *port, struct eb_error *err) EB_MUSTCHECK;

#endif
