/*
 * engine/server/server.h
 *    ebidd's context and the request object every handler works on
 *    (engine/server only).
 *
 * One event_base, one struct eb_server passed down explicitly; no other
 * mutable global except the log file.  A struct eb_req lives from the
 * evhttp callback until its one reply (eb_reply_*), which also writes the
 * request's log line and frees it.  If the client goes away first the
 * connection's close callback marks it (see http.c conn_closed()); the
 * reply then only frees evhttp's request and is logged.
 *
 * Besides the structures, the one section of functions here is http.c's:
 * the listener and the request's one reply path, which every handler
 * calls (a header of http.c's own would make each handler and the router
 * include each other).  Every other function is declared in the header
 * of the .c that defines it (tls.h, handlers.h, commands.h, ...).
 *
 * INTERFACE (http.c)
 *    eb_http_start()      - listen, routes, limits
 *    eb_http_stop_accepting()
 *    eb_http_free()       - free evhttp and the connection records
 *    eb_reply_doc()       - reply an XML document
 *    eb_reply_xml()       - reply an XML document already written
 *    eb_reply_error()     - reply the XML error document
 *    eb_reply_streamed()  - a streamed reply ended: log it, free the request
 */
#ifndef EB_SERVER_SERVER_H
#define EB_SERVER_SERVER_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "engine/server/clock.h"
#include "engine/server/config.h"
#include "engine/store/store.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"
#include "protocol/pki.h"
#include "protocol/xml.h"

struct eb_aggs;
struct eb_board;
struct eb_commands;
struct eb_conns;
struct eb_directory;
struct eb_heads;
struct eb_metrics;
struct eb_notify;
struct eb_reads;
struct eb_receipts;
struct eb_recovery;
struct eb_system;
struct eb_watch;
struct eb_keyproc;
struct eb_uploads;
struct eb_workers;

struct eb_server {
	struct event_base *base;
	const struct eb_config *cfg;
	struct eb_clock clock;
	struct eb_store *store;
	struct eb_trust *trust;
	struct eb_schema *schema;
	X509 *cert;                 /* the server's signing certificate */
	X509 *opening_ca;           /* issues opening certificates (or cert) */
	struct eb_keyproc *kp;      /* holds the keys of both (keyproc.h) */
	int has_tsa;                /* tsa_cert is set: receipts are issued */
	SSL_CTX *ssl;
	struct evhttp *http;
	struct evhttp_bound_socket *listener;
	struct eb_conns *conns;     /* caps and deadlines (conns.h) */
	struct event *log_flush;    /* writes the log's lines (http.c) */
	struct eb_aggs *aggs;       /* the aggregate cache (aggs.c) */
	struct eb_commands *cmds;
	struct eb_reads *reads;     /* reads and pokes (reads.c) */
	struct eb_notify *notify;   /* "committed" observers (notify.h) */
	struct eb_system *sys;      /* ebidd's own commands (system.c) */
	struct eb_directory *directory; /* certificates (directory.c) */
	struct eb_receipts *receipts; /* receipt serials (receipts.c) */
	struct eb_recovery *recovery; /* start-up reload (recovery.c) */
	struct eb_heads *heads;     /* heads signed on time (heads.c) */
	struct eb_watch *watch;     /* live sales (watch.c) */
	struct eb_board *board;     /* the public board (board.c), or NULL */
	struct eb_metrics *metrics; /* Prometheus metrics (metrics.h) */
	struct eb_actor actor;      /* ebidd itself, from its certificate */
	struct eb_workers *workers;  /* CMS verify + XML parse off the loop */
	struct eb_uploads *uploads;  /* large bids' envelopes (upload.h) */
	struct eb_ocspc *ocsp;       /* OCSP client (ocspclient.h), or NULL */
	uint64_t next_req;
	uint32_t boot_id;           /* random, makes request ids unique */
	unsigned reqs_open;         /* eb_req objects alive */
	int stopping;
};

struct eb_req {
	struct eb_server *srv;
	struct evhttp_request *req;            /* NULL if evhttp freed it */
	struct evhttp_connection *conn;
	char id[32];
	int64_t t0_us;
	const char *method;
	char path[128];
	X509 *peer;                            /* own reference */
	struct eb_actor actor;
	int have_actor;
	char peer_addr[64];
	int client_gone;                       /* the connection closed */
	int close_after;                       /* reply with Connection: close */
};

/* http.c */
int eb_http_start(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
void eb_http_stop_accepting(struct eb_server *srv);
/* At exit: evhttp_free() and the connection records. */
void eb_http_free(struct eb_server *srv);
/* Reply 'doc' (borrowed) as XML with 'status'; ends and frees 'r'. */
void eb_reply_doc(struct eb_req *r, int status, const struct eb_doc *doc);
/* Reply 'xml' (n bytes, a whole document as eb_reply_doc would write it)
 * as application/xml with 'status'; ends and frees 'r'. */
void eb_reply_xml(struct eb_req *r, int status, const char *xml, size_t n);
/* Reply the error document of 'e' with eb_http_status(); frees 'r'. */
void eb_reply_error(struct eb_req *r, const struct eb_error *e);
/* A reply its handler streamed itself (envelopes_http.c) has ended:
 * write the request's log line and metrics ('n' bytes sent), free 'r'. */
void eb_reply_streamed(struct eb_req *r, int status, size_t n);

#endif
