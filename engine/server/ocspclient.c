/*
 * engine/server/ocspclient.c
 *    ebidd's asynchronous OCSP client: see ocspclient.h.
 *
 *    A check looks the certificate's (issuer, serial) up in the cache: a
 *    current answer decides at once; a query in flight gets one more
 *    waiter; else a new entry is made and its query sent: the DER request
 *    (protocol/ocsp.c) POSTed with a new evhttp connection (freed from
 *    the loop once its request's callback returned: libevent 2.1's
 *    free-on-completion leaves a kept-alive one), the hostname resolved by
 *    evdns (never getaddrinfo on the loop), one timeout for connect, write
 *    and read.  The answer, or the failure, completes the entry and every
 *    waiter gets its verdict at its own instant.
 *
 * INTERFACE: see ocspclient.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "engine/server/clock.h"
#include "engine/server/config.h"
#include "engine/server/idmap.h"
#include "engine/server/log.h"
#include "engine/server/ocspclient.h"
#include "engine/server/server.h"
#include "protocol/hash.h"
#include "protocol/mem.h"
#include "protocol/ocsp.h"
#include "protocol/pki.h"

#define URL_MAX 256

struct waiter {
	TAILQ_ENTRY(waiter) link;
	int64_t at_ms;
	eb_ocspc_done_fn done;
	void *arg;
};
TAILQ_HEAD(waiters, waiter);

/* What decides a check: an answer, or why there is none. */
struct verdict {
	int failed;                       /* no answer that counts */
	char why[200];
	struct eb_ocsp_answer ans;
	char serial[80];
	char url[URL_MAX];
};

struct entry {
	struct eb_idmap_node node;        /* by the CertID's SHA-256 */
	TAILQ_ENTRY(entry) lru;           /* answered entries, newest first */
	struct eb_ocspc *c;
	int pending;                      /* a query in flight */
	struct waiters waiters;           /* ... and who waits on it */
	X509 *cert, *issuer;              /* own references while pending */
	struct evhttp_connection *conn;   /* while pending */
	int http_error;                   /* evhttp's error, if any */
	int64_t t0_us;
	int64_t until_ms;                 /* answered: kept until (real ms) */
	struct verdict v;
};

/* A connection whose request completed, freed from the loop (reap). */
struct spent {
	struct evhttp_connection *conn;
	struct spent *next;
};

struct eb_ocspc {
	struct eb_server *srv;
	struct evdns_base *dns;
	struct spent *spent;              /* to free after their callbacks */
	struct event *reap;
	int aia;                          /* ocsp = aia */
	char responder[URL_MAX];          /* "" = none */
	int soft_fail;
	int timeout_s;
	int64_t max_age_ms;
	size_t max_entries;
	struct eb_idmap map;
	TAILQ_HEAD(entrylru, entry) lru;
	size_t answered;                  /* entries on the lru list */
	uint64_t q_good, q_revoked, q_unknown, q_failed;
	uint64_t hits, misses, joined, soft;
};

/* -- small helpers ------------------------------------------------------ */

static void
serial_hex(X509 *cert, char *out, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, cap, "%s", hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
iso_of(int64_t ms, char *out, size_t cap)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	snprintf(out, cap, "?");
	if (gmtime_r(&secs, &tm) != NULL)
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The issuer of 'cert' in the trust (a new reference), or NULL. */
static X509 *
issuer_of(const struct eb_server *srv, X509 *cert)
{
	X509_STORE_CTX *xs = X509_STORE_CTX_new();
	X509 *issuer = NULL;

	if (xs != NULL && X509_STORE_CTX_init(xs, eb_trust_store(srv->trust),
	    cert, NULL) == 1 &&
	    X509_STORE_CTX_get1_issuer(&issuer, xs, cert) != 1)
		issuer = NULL;
	X509_STORE_CTX_free(xs);
	ERR_clear_error();
	return issuer;
}

/* The cache key: the hex SHA-256 of the DER CertID (issuer, serial). */
static int
key_of(X509 *cert, X509 *issuer, char key[EB_ID_MAX])
{
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
	unsigned char *der = NULL;
	uint8_t sha[32];
	int n;

	if (id == NULL || (n = i2d_OCSP_CERTID(id, &der)) <= 0) {
		OCSP_CERTID_free(id);
		ERR_clear_error();
		return -1;
	}
	eb_sha256(der, (size_t)n, sha);
	/* 31 bytes: the id fits EB_ID_MAX - 1 characters */
	for (int i = 0; i < 31; i++)
		snprintf(key + 2 * i, 3, "%02x", sha[i]);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	return 0;
}

/* The first http:// OCSP URL of the certificate's AIA, or "". */
static void
aia_url(X509 *cert, char *out, size_t cap)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);

	*out = '\0';
	for (int i = 0; urls != NULL && i < sk_OPENSSL_STRING_num(urls); i++) {
		const char *u = sk_OPENSSL_STRING_value(urls, i);

		if (strncmp(u, "http://", 7) == 0 && strlen(u) < cap) {
			snprintf(out, cap, "%s", u);
			break;
		}
	}
	X509_email_free(urls);
}

/* -- verdicts ----------------------------------------------------------- */

/* No answer that counts: the soft-fail policy decides. */
static int
unavailable(struct eb_ocspc *c, const struct verdict *v, struct eb_error *e)
{
	if (c->soft_fail) {
		c->soft++;
		eb_log(EB_LOG_WARN, "ocsp: soft fail: certificate %s allowed "
		    "without an OCSP answer%s%s (%s)", v->serial,
		    *v->url ? " from " : "", v->url, v->why);
		return EB_OK;
	}
	return eb_fail(e, EB_ERR_IO, "ocsp-unavailable",
	    "The centre's OCSP responder did not answer: send the request "
	    "again later; operators see docs/operations-server.md, "
	    "Revocation.",
	    "no OCSP answer for certificate %s%s%s: %s", v->serial,
	    *v->url ? " from " : "", v->url, v->why);
}

/* The verdict of 'v' at 'at_ms' (0: now), the CRL's rule (pki.h). */
static int
decide(struct eb_ocspc *c, const struct verdict *v, int64_t at_ms,
    struct eb_error *e)
{
	char iso[32];

	if (v->failed)
		return unavailable(c, v, e);
	switch (v->ans.status) {
	case EB_OCSP_GOOD:
		return EB_OK;
	case EB_OCSP_REVOKED:
		if ((at_ms != 0 ? at_ms : eb_clock_real_ms()) < v->ans.revoked_ms)
			return EB_OK;   /* signed before the revocation */
		iso_of(v->ans.revoked_ms, iso, sizeof(iso));
		return eb_fail(e, EB_ERR_DENIED, "certificate-revoked",
		    "The centre's CA revoked this certificate: ask the "
		    "registration office for a new one.",
		    "certificate %s was revoked at %s (OCSP, %s)", v->serial,
		    iso, v->url);
	case EB_OCSP_UNKNOWN:
		return eb_fail(e, EB_ERR_DENIED, "ocsp-unknown-certificate",
		    "The centre's OCSP responder does not know this "
		    "certificate: ask the registration office.",
		    "the OCSP responder %s answered \"unknown\" for "
		    "certificate %s", v->url, v->serial);
	default:
		return unavailable(c, v, e);
	}
}

/* -- the cache ------------------------------------------------------------ */

static void
entry_free(struct eb_ocspc *c, struct entry *en)
{
	if (!en->pending) {
		TAILQ_REMOVE(&c->lru, en, lru);
		c->answered--;
	}
	eb_idmap_remove(&c->map, &en->node);
	X509_free(en->cert);
	X509_free(en->issuer);
	free(en);
}

/* Answered entries beyond ocsp_cache_entries: the least recently used. */
static void
evict(struct eb_ocspc *c)
{
	struct entry *en;

	while (c->answered > c->max_entries &&
	    (en = TAILQ_LAST(&c->lru, entrylru)) != NULL)
		entry_free(c, en);
}

/* The query of 'en' ended (its verdict filled): answer every waiter;
 * 'may_evict' 0 keeps 'en' (eb_ocspc_free() frees it itself). */
static void
settle(struct entry *en, int may_evict)
{
	struct eb_ocspc *c = en->c;
	struct waiters ws = TAILQ_HEAD_INITIALIZER(ws);
	struct verdict v = en->v;
	struct waiter *w;
	int64_t now = eb_clock_real_ms();
	long long us = (long long)(eb_clock_mono_us() - en->t0_us);
	char iso[32];

	en->pending = 0;
	en->conn = NULL;
	X509_free(en->cert);
	X509_free(en->issuer);
	en->cert = en->issuer = NULL;
	if (v.failed) {
		c->q_failed++;
		en->until_ms = now + EB_OCSPC_RETRY_MS;
		eb_log(EB_LOG_WARN, "ocsp: certificate %s: no answer from %s "
		    "in %lld us: %s", v.serial, v.url, us, v.why);
	} else {
		en->until_ms = v.ans.next_ms != 0 ? v.ans.next_ms :
		    now + c->max_age_ms;
		if (v.ans.status == EB_OCSP_GOOD)
			c->q_good++;
		else if (v.ans.status == EB_OCSP_REVOKED)
			c->q_revoked++;
		else
			c->q_unknown++;
		iso_of(v.ans.revoked_ms, iso, sizeof(iso));
		eb_log(EB_LOG_INFO, "ocsp: certificate %s: %s%s%s from %s in "
		    "%lld us (kept %lld s)", v.serial,
		    v.ans.status == EB_OCSP_GOOD ? "good" :
		    v.ans.status == EB_OCSP_REVOKED ? "revoked" : "unknown",
		    v.ans.status == EB_OCSP_REVOKED ? " at " : "",
		    v.ans.status == EB_OCSP_REVOKED ? iso : "", v.url, us,
		    (long long)((en->until_ms > now ? en->until_ms - now : 0) /
		    1000));
	}
	TAILQ_INSERT_HEAD(&c->lru, en, lru);
	c->answered++;
	TAILQ_CONCAT(&ws, &en->waiters, link);
	if (may_evict)
		evict(c);
	/* 'en' may go while the waiters run: they have their copy */
	while ((w = TAILQ_FIRST(&ws)) != NULL) {
		struct eb_error e;
		int rc;

		TAILQ_REMOVE(&ws, w, link);
		eb_error_clear(&e);
		rc = decide(c, &v, w->at_ms, &e);
		w->done(w->arg, rc, &e);
		free(w);
	}
}

static void
complete(struct entry *en)
{
	settle(en, 1);
}

/* -- the query -------------------------------------------------------- */

static void
query_error(enum evhttp_request_error err, void *arg)
{
	struct entry *en = arg;

	en->http_error = (int)err + 1;
}

static const char *
http_error_text(int e)
{
	switch (e - 1) {
	case EVREQ_HTTP_TIMEOUT: return "timed out";
	case EVREQ_HTTP_EOF: return "closed the connection";
	case EVREQ_HTTP_INVALID_HEADER: return "sent an invalid reply";
	case EVREQ_HTTP_BUFFER_ERROR: return "cannot be reached";
	case EVREQ_HTTP_DATA_TOO_LONG: return "sent too large a reply";
	default: return "cannot be reached";
	}
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_ocspc *c = arg;
	struct spent *sp;

	(void)fd, (void)what;
	while ((sp = c->spent) != NULL) {
		c->spent = sp->next;
		evhttp_connection_free(sp->conn);
		free(sp);
	}
}

static void
query_done(struct evhttp_request *req, void *arg)
{
	struct entry *en = arg;
	struct eb_ocspc *c = en->c;
	struct verdict *v = &en->v;
	int code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	struct spent *sp = eb_calloc(1, sizeof(*sp));
	struct timeval zero = { 0, 0 };

	/* not inside its own callback: on the loop's next turn */
	sp->conn = en->conn;
	sp->next = c->spent;
	c->spent = sp;
	en->conn = NULL;
	event_add(c->reap, &zero);

	if (code == 0) {
		v->failed = 1;
		snprintf(v->why, sizeof(v->why), "the responder %s",
		    http_error_text(en->http_error));
	} else if (code != 200) {
		v->failed = 1;
		snprintf(v->why, sizeof(v->why), "the responder answered "
		    "HTTP %d", code);
	} else {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		const uint8_t *p = n <= EB_OCSP_MAX ?
		    evbuffer_pullup(in, (ev_ssize_t)n) : NULL;

		if (eb_ocsp_check(p, n, en->cert, en->issuer,
		    eb_trust_store(c->srv->trust), eb_clock_real_ms(),
		    &v->ans) == EB_OCSP_INVALID) {
			v->failed = 1;
			snprintf(v->why, sizeof(v->why), "its answer does not "
			    "count: %s", v->ans.why);
		}
	}
	complete(en);
}

/* Send the query of the pending entry 'en'; -1 with v->why on failure. */
static int
query_start(struct eb_ocspc *c, struct entry *en)
{
	struct evhttp_uri *uri = evhttp_uri_parse(en->v.url);
	const char *host = uri != NULL ? evhttp_uri_get_host(uri) : NULL;
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	int port = uri != NULL ? evhttp_uri_get_port(uri) : -1;
	struct evhttp_request *req = NULL;
	struct evkeyvalq *h;
	unsigned char *der = NULL;
	size_t len = 0;
	char target[URL_MAX + 2], len_s[24];
	int rc = -1;

	if (host == NULL || *host == '\0') {
		snprintf(en->v.why, sizeof(en->v.why), "the responder URL "
		    "names no host");
		goto out;
	}
	snprintf(target, sizeof(target), "%s%s%s",
	    path != NULL && *path != '\0' ? path : "/",
	    query != NULL ? "?" : "", query != NULL ? query : "");
	if (eb_ocsp_request(en->cert, en->issuer, 0, &der, &len) != 0) {
		snprintf(en->v.why, sizeof(en->v.why), "cannot build the OCSP "
		    "request");
		goto out;
	}
	en->conn = evhttp_connection_base_new(c->srv->base, c->dns, host,
	    (unsigned short)(port > 0 ? port : 80));
	if (en->conn == NULL ||
	    (req = evhttp_request_new(query_done, en)) == NULL) {
		snprintf(en->v.why, sizeof(en->v.why), "cannot open a "
		    "connection");
		goto out;
	}
	evhttp_connection_set_timeout(en->conn, c->timeout_s);
	evhttp_connection_set_retries(en->conn, 0);
	evhttp_connection_set_max_body_size(en->conn, (ev_ssize_t)EB_OCSP_MAX);
	evhttp_connection_set_max_headers_size(en->conn, 16384);
	evhttp_request_set_error_cb(req, query_error);
	h = evhttp_request_get_output_headers(req);
	snprintf(len_s, sizeof(len_s), "%zu", len);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/ocsp-request");
	evhttp_add_header(h, "Accept", "application/ocsp-response");
	evhttp_add_header(h, "Content-Length", len_s);
	evhttp_add_header(h, "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), der, len);
	en->t0_us = eb_clock_mono_us();
	if (evhttp_make_request(en->conn, req, EVHTTP_REQ_POST, target) != 0) {
		req = NULL;             /* evhttp_make_request freed it */
		snprintf(en->v.why, sizeof(en->v.why), "cannot send the "
		    "request");
		goto out;
	}
	req = NULL;
	rc = 0;
out:
	if (rc != 0) {
		if (req != NULL)
			evhttp_request_free(req);
		if (en->conn != NULL)
			evhttp_connection_free(en->conn);
		en->conn = NULL;
	}
	OPENSSL_free(der);
	evhttp_uri_free(uri);
	return rc;
}

/* -- the interface -------------------------------------------------------- */

int
eb_ocspc_check(struct eb_server *srv, X509 *cert, int64_t at_ms,
    struct eb_error *e, eb_ocspc_done_fn done, void *arg)
{
	struct eb_ocspc *c = srv->ocsp;
	struct eb_idmap_node *node;
	struct entry *en;
	struct waiter *w;
	struct verdict v;
	char key[EB_ID_MAX];
	X509 *issuer;

	if (c == NULL)
		return EB_OK;
	memset(&v, 0, sizeof(v));
	serial_hex(cert, v.serial, sizeof(v.serial));
	if ((issuer = issuer_of(srv, cert)) == NULL || key_of(cert, issuer,
	    key) != 0) {
		X509_free(issuer);
		v.failed = 1;
		snprintf(v.why, sizeof(v.why), "its issuer is not a CA of "
		    "the trust");
		c->misses++;
		return unavailable(c, &v, e);
	}
	if ((node = eb_idmap_find(&c->map, key)) != NULL) {
		en = EB_IDMAP_RECORD(node, struct entry, node);
		if (en->pending) {
			c->joined++;
			X509_free(issuer);
			goto wait;
		}
		if (en->until_ms > eb_clock_real_ms()) {
			c->hits++;
			X509_free(issuer);
			TAILQ_REMOVE(&c->lru, en, lru);
			TAILQ_INSERT_HEAD(&c->lru, en, lru);
			v = en->v;
			return decide(c, &v, at_ms, e);
		}
		entry_free(c, en);      /* expired: ask again */
	}
	c->misses++;
	if (c->aia)
		aia_url(cert, v.url, sizeof(v.url));
	if (v.url[0] == '\0')
		snprintf(v.url, sizeof(v.url), "%s", c->responder);
	if (v.url[0] == '\0') {
		X509_free(issuer);
		v.failed = 1;
		snprintf(v.why, sizeof(v.why), "the certificate names no OCSP "
		    "responder (authority information access) and "
		    "ocsp_responder is not set");
		return unavailable(c, &v, e);
	}
	en = eb_calloc(1, sizeof(*en));
	en->c = c;
	en->pending = 1;
	TAILQ_INIT(&en->waiters);
	en->v = v;
	en->issuer = issuer;
	X509_up_ref(cert);
	en->cert = cert;
	eb_idmap_insert(&c->map, &en->node, key);
	if (query_start(c, en) != 0) {
		en->v.failed = 1;
		v = en->v;              /* complete() may evict 'en' */
		complete(en);           /* no waiter yet: kept as a failure */
		return decide(c, &v, at_ms, e);
	}
wait:
	w = eb_calloc(1, sizeof(*w));
	w->at_ms = at_ms;
	w->done = done;
	w->arg = arg;
	TAILQ_INSERT_TAIL(&en->waiters, w, link);
	return EB_OCSPC_WAIT;
}

int
eb_ocspc_init(struct eb_server *srv, struct eb_error *err)
{
	const struct eb_config *cfg = srv->cfg;
	const char *mode = cfg->ocsp;
	struct eb_ocspc *c;
	struct evhttp_uri *uri;

	srv->ocsp = NULL;
	if (strcmp(mode, "off") == 0 || (*mode == '\0' &&
	    *cfg->ocsp_responder == '\0'))
		return EB_OK;
	if (strcmp(mode, "responder") == 0 && *cfg->ocsp_responder == '\0')
		return eb_fail(err, EB_ERR_USAGE, "bad-setting",
		    "Set ocsp_responder = http://HOST:PORT/ (the centre's "
		    "responder), or ocsp = aia.",
		    "ocsp = responder needs ocsp_responder");
	if (*cfg->ocsp_responder != '\0') {
		uri = evhttp_uri_parse(cfg->ocsp_responder);
		if (uri == NULL || evhttp_uri_get_scheme(uri) == NULL ||
		    strcmp(evhttp_uri_get_scheme(uri), "http") != 0 ||
		    evhttp_uri_get_host(uri) == NULL ||
		    strlen(cfg->ocsp_responder) >= URL_MAX) {
			evhttp_uri_free(uri);
			return eb_fail(err, EB_ERR_USAGE, "bad-setting",
			    "Write ocsp_responder = http://HOST[:PORT][/PATH] "
			    "(OCSP answers are signed: RFC 6960 responders "
			    "speak plain HTTP).",
			    "ocsp_responder \"%s\" is not an http:// URL of at "
			    "most %d bytes", cfg->ocsp_responder, URL_MAX - 1);
		}
		evhttp_uri_free(uri);
	}
	c = eb_calloc(1, sizeof(*c));
	c->srv = srv;
	c->aia = strcmp(mode, "aia") == 0;
	snprintf(c->responder, sizeof(c->responder), "%s",
	    cfg->ocsp_responder);
	c->soft_fail = strcmp(cfg->ocsp_soft_fail, "yes") == 0;
	c->timeout_s = (int)cfg->ocsp_timeout;
	c->max_age_ms = cfg->ocsp_max_age * 1000;
	c->max_entries = (size_t)cfg->ocsp_cache_entries;
	TAILQ_INIT(&c->lru);
	if (eb_idmap_init(&c->map, 1024) != EB_OK) {
		free(c);
		return eb_fail(err, EB_ERR_INTERNAL, "internal", NULL,
		    "cannot make the OCSP cache");
	}
	/*
	 * Host names resolved without blocking the loop; /etc/resolv.conf
	 * and /etc/hosts are read here, before the privileges drop.
	 */
	c->reap = evtimer_new(srv->base, reap_cb, c);
	if (c->reap == NULL)
		eb_oom("evtimer_new", 0);
	c->dns = evdns_base_new(srv->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (c->dns == NULL)
		eb_log(EB_LOG_WARN, "ocsp: no DNS resolver: responders must be "
		    "named by address");
	srv->ocsp = c;
	eb_log(EB_LOG_INFO, "ocsp: %s%s%s, soft fail %s, timeout %d s, "
	    "cache %zu answers (%lld s without nextUpdate)",
	    c->aia ? "each certificate's AIA responder" : "responder ",
	    c->aia && *c->responder ? ", else " : "", c->responder,
	    c->soft_fail ? "yes" : "no", c->timeout_s, c->max_entries,
	    (long long)cfg->ocsp_max_age);
	return EB_OK;
}

static void
free_one(struct eb_idmap_node *node, void *arg)
{
	struct eb_ocspc *c = arg;
	struct entry *en = EB_IDMAP_RECORD(node, struct entry, node);

	if (en->pending) {
		/* libevent frees the request without calling back */
		if (en->conn != NULL)
			evhttp_connection_free(en->conn);
		en->conn = NULL;
		en->v.failed = 1;
		snprintf(en->v.why, sizeof(en->v.why), "ebidd is stopping");
		settle(en, 0);
	}
	entry_free(c, en);
}

void
eb_ocspc_free(struct eb_server *srv)
{
	struct eb_ocspc *c = srv->ocsp;

	if (c == NULL)
		return;
	c->max_entries = (size_t)-1;    /* nothing may evict now */
	eb_idmap_foreach(&c->map, free_one, c);
	eb_idmap_fini(&c->map);
	reap_cb(-1, 0, c);
	event_free(c->reap);
	if (c->dns != NULL)
		evdns_base_free(c->dns, 0);
	free(c);
	srv->ocsp = NULL;
}

/*
 * SIGHUP: drop every answer kept (good, revoked, unknown, a failure), so
 * that an operator told of an urgent revocation gets it from the
 * responder now instead of at the answer's nextUpdate.  Queries in flight
 * stay: their answer is the responder's of now.  Returns how many went.
 */
size_t
eb_ocspc_flush(struct eb_server *srv)
{
	struct eb_ocspc *c = srv->ocsp;
	struct entry *en;
	size_t n = 0;

	if (c == NULL)
		return 0;
	while ((en = TAILQ_FIRST(&c->lru)) != NULL) {
		entry_free(c, en);
		n++;
	}
	return n;
}

void
eb_ocspc_render(const struct eb_server *srv, struct eb_buf *b)
{
	const struct eb_ocspc *c = srv->ocsp;
	int rc = 0;

	if (c == NULL)
		return;
	rc |= eb_buf_printf(b, "# HELP ebid_ocsp_queries_total OCSP queries "
	    "sent to a responder, by result.\n"
	    "# TYPE ebid_ocsp_queries_total counter\n"
	    "ebid_ocsp_queries_total{result=\"good\"} %llu\n"
	    "ebid_ocsp_queries_total{result=\"revoked\"} %llu\n"
	    "ebid_ocsp_queries_total{result=\"unknown\"} %llu\n"
	    "ebid_ocsp_queries_total{result=\"failed\"} %llu\n",
	    (unsigned long long)c->q_good, (unsigned long long)c->q_revoked,
	    (unsigned long long)c->q_unknown, (unsigned long long)c->q_failed);
	rc |= eb_buf_printf(b, "# HELP ebid_ocsp_checks_total Certificate "
	    "checks: answered from the cache, waiting on a query in flight, "
	    "or asking.\n"
	    "# TYPE ebid_ocsp_checks_total counter\n"
	    "ebid_ocsp_checks_total{source=\"cache\"} %llu\n"
	    "ebid_ocsp_checks_total{source=\"joined\"} %llu\n"
	    "ebid_ocsp_checks_total{source=\"query\"} %llu\n",
	    (unsigned long long)c->hits, (unsigned long long)c->joined,
	    (unsigned long long)c->misses);
	rc |= eb_buf_printf(b, "# HELP ebid_ocsp_soft_fail_total Checks "
	    "allowed without an OCSP answer (ocsp_soft_fail = yes).\n"
	    "# TYPE ebid_ocsp_soft_fail_total counter\n"
	    "ebid_ocsp_soft_fail_total %llu\n"
	    "# HELP ebid_ocsp_cache_entries OCSP answers kept.\n"
	    "# TYPE ebid_ocsp_cache_entries gauge\n"
	    "ebid_ocsp_cache_entries %zu\n",
	    (unsigned long long)c->soft, c->answered);
	(void)rc;
}
