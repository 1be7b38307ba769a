/*
 * engine/server/conns.h
 *    Admission of ebidd's TLS connections (docs/engineering-notes.md, attacks):
 *    - at most max_connections open: at the cap the listener pauses and
 *      new connections wait in the kernel's backlog (the default cap is
 *      the open-file limit minus a reserve, so accept() does not run out
 *      of descriptors because of clients);
 *    - at most max_connections_per_address from one client address: the
 *      next one is shut down as soon as it is accepted;
 *    - with refuse_connections_above = N, a connection accepted while N
 *      or more are open is answered 503 too-many-connections
 *      at its first request and closed, and gets REFUSED_DEADLINE_S instead
 *      of request_timeout to send it: a clear refusal, and a bound on the
 *      memory idle connections hold (about 28 KiB each with OpenSSL 3.0,
 *      docs/performance.md) below the descriptor cap;
 *    - a whole-request deadline, request_timeout, from the accept (or the
 *      previous reply) to the end of the next request, because evhttp's
 *      own timeout restarts on every byte: at expiry the socket is shut
 *      down and evhttp frees the connection;
 *    - when accept() fails (EMFILE: out of descriptors) the listener
 *      backs off for 250 ms instead of spinning, and the connections
 *      waiting in the backlog are accepted and closed with a reserve
 *      descriptor, so that they fail at once instead of hanging;
 *    - each kind of event is logged at most once per 10 s, with a count.
 *
 * evhttp accepts the sockets itself and only calls our bufferevent factory
 * (eb_conns_bev) for each one; the connection record rides on the SSL
 * object (ex_data) and is freed with it.  The client address is read
 * right after the accept callback (the factory runs before evhttp sets
 * the socket).  libevent hands the listener's error callback evhttp's
 * pointer, not ours: the one listened-to struct eb_conns is found
 * through a file-static pointer (set by eb_conns_listen, cleared by
 * eb_conns_unlisten).  Loop thread only.
 *
 * Owns: struct eb_conns, one record per accepted connection, the reserve
 * descriptor.
 *
 * INTERFACE
 *    eb_conns_new()        - caps from the settings and RLIMIT_NOFILE
 *    eb_conns_bev()        - evhttp's bufferevent factory (evhttp_set_bevcb)
 *    eb_conns_listen()     - watch the listener (cap, EMFILE back-off)
 *    eb_conns_unlisten()   - the listener is about to be freed
 *    eb_conns_request_in() - a whole request arrived: its deadline stops
 *    eb_conns_reply_out()  - a reply leaves: the next request's deadline
 *    eb_conns_refused()    - is this connection over refuse_connections_above?
 *    eb_conns_actor()      - the party a client certificate names, memoized
 *    eb_conns_free()       - forget every connection (evhttp frees them)
 */
#ifndef EB_SERVER_CONNS_H
#define EB_SERVER_CONNS_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "engine/server/config.h"
#include "protocol/actor.h"
#include "protocol/err.h"

struct eb_conns;

/* NULL with 'err' on failure.  'ctx' is borrowed (it outlives us). */
struct eb_conns *eb_conns_new(struct event_base *base, SSL_CTX *ctx,
    const struct eb_config *cfg, struct eb_error *err);
/* The bufferevent factory; 'arg' is the struct eb_conns. */
struct bufferevent *eb_conns_bev(struct event_base *base, void *arg);
void eb_conns_listen(struct eb_conns *cs, struct evconnlistener *lev);
void eb_conns_unlisten(struct eb_conns *cs);
void eb_conns_request_in(struct eb_conns *cs, struct evhttp_connection *c);
void eb_conns_reply_out(struct eb_conns *cs, struct evhttp_connection *c);
/*
 * 1 when 'c' was accepted over refuse_connections_above (answer it 503
 * too-many-connections and close it; the refusal is logged once per
 * 10 s), else 0.
 */
int eb_conns_refused(struct eb_conns *cs, struct evhttp_connection *c);
/*
 * The actor 'peer's subject names (protocol/pki.h eb_actor_from_cert),
 * into 'out'; EB_OK, or eb_actor_from_cert's refusal in 'err'.  The actor
 * is a function of the subject alone, so it is memoized by the subject's
 * DER (ACTOR_SLOTS slots, direct-mapped, a refusal not kept): a
 * kept-alive client's requests, and its other connections, skip the
 * name decoding.
 */
int eb_conns_actor(struct eb_conns *cs, X509 *peer, struct eb_actor *out,
    struct eb_error *err) EB_MUSTCHECK;
/* Open connections (records alive). */
unsigned eb_conns_open(const struct eb_conns *cs);
/* After evhttp_free(): connections freed later are no longer counted. */
void eb_conns_free(struct eb_conns *cs);

#endif
