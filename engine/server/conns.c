/*
 * engine/server/conns.c
 *    Connection admission: caps, the whole-request deadline and the
 *    accept back-off (see conns.h for the rules and the ownership).
 *
 * The actor memo: ACTOR_SLOTS slots indexed by a hash (FNV-1a over
 * 8-byte words, then the tail's bytes) of the subject's DER, each holding a copy of that DER and its actor; a new
 * subject replaces the slot's.  About 600 bytes a slot in use.
 *
 * Records: a doubly linked list of every open connection, newest first.
 * Records whose address has not been read yet form a prefix of the list
 * (new ones go to the front, and one pass reads them all), so the pass
 * after each accept burst touches only the new ones.  Addresses are
 * counted in a small hash table only when max_connections_per_address
 * is set.
 *
 * INTERFACE: see conns.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <event2/util.h>

#include "engine/server/clock.h"
#include "engine/server/conns.h"
#include "engine/server/idmap.h"
#include "engine/server/log.h"
#include "protocol/pki.h"
#include "protocol/mem.h"

#define ADDR_BUCKETS 256
#define BACKOFF_MS 250          /* listener paused after accept() failed */
#define SHED_MAX 512            /* waiting connections closed per failure */
#define LOG_EVERY_US (10 * 1000000LL)   /* one line per kind per 10 s */
/* Descriptors kept for everything but clients: PostgreSQL (db_connections
 * on top), worker pipes (2 per worker on top), the log, the listener, the
 * reserve, epoll, signals, files read at run time. */
#define FD_RESERVE 64
/* Seconds a connection over refuse_connections_above has to send the
 * request it will be refused (at most request_timeout). */
#define REFUSED_DEADLINE_S 5
#define ACTOR_SLOTS 256         /* distinct subjects memoized */

struct addr_slot {
	struct addr_slot *next;
	unsigned n;                          /* connections from addr */
	char addr[INET6_ADDRSTRLEN];
};

struct conn {
	struct eb_conns *cs;
	SSL *ssl;                            /* the owner; we ride on it */
	struct event *deadline;
	struct conn *prev, *next;
	struct addr_slot *slot;              /* counted here (per-address cap) */
	int placed;                          /* address read */
	int refuse;                          /* over refuse_connections_above */
	char addr[INET6_ADDRSTRLEN];
};

/* One memoized subject: its DER (owned) and the actor it names. */
struct actor_slot {
	unsigned char *der;
	size_t len;
	struct eb_actor actor;
};

/* "once per interval": the first event logs, later ones are counted. */
struct ratelog {
	int64_t last_us;
	unsigned skipped;
	int used;
};

struct eb_conns {
	struct event_base *base;
	SSL_CTX *ctx;
	int ex_idx;
	unsigned max, per_addr, refuse_above;
	struct timeval deadline_tv, refused_tv;
	unsigned open;
	struct conn *all;
	struct event *place_ev;              /* reads new addresses */
	struct addr_slot *slots[ADDR_BUCKETS];
	struct evconnlistener *lev;
	int lev_on;                          /* we left the listener enabled */
	int backing_off;
	struct event *backoff_ev;
	int reserve_fd;
	struct ratelog log_cap, log_accept, log_addr, log_deadline, log_refuse;
	struct actor_slot actors[ACTOR_SLOTS];
};

/* The listener's error callback gets evhttp's pointer: see conns.h. */
static struct eb_conns *listened;

static void
ratelog(struct ratelog *rl, const char *fmt, ...) EB_PRINTF(2, 3);

static void
ratelog(struct ratelog *rl, const char *fmt, ...)
{
	int64_t now = eb_clock_mono_us();
	char msg[512];
	va_list ap;

	if (rl->used && now - rl->last_us < LOG_EVERY_US) {
		rl->skipped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rl->skipped > 0)
		eb_log(EB_LOG_WARN, "%s (and %u more like it in the last "
		    "%lld s)", msg, rl->skipped,
		    (long long)((now - rl->last_us) / 1000000));
	else
		eb_log(EB_LOG_WARN, "%s", msg);
	rl->used = 1;
	rl->last_us = now;
	rl->skipped = 0;
}

static unsigned
addr_hash(const char *s)
{
	return eb_idmap_hash(s) % ADDR_BUCKETS;
}

/* The slot of 'addr', created with n = 0; NULL when out of memory. */
static struct addr_slot *
slot_get(struct eb_conns *cs, const char *addr)
{
	struct addr_slot **head = &cs->slots[addr_hash(addr)], *s;

	for (s = *head; s != NULL; s = s->next)
		if (strcmp(s->addr, addr) == 0)
			return s;
	s = eb_calloc(1, sizeof(*s));
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	s->next = *head;
	*head = s;
	return s;
}

/* Drop 'gone' from its address; the slot goes when nobody is left. */
static void
slot_put(struct eb_conns *cs, struct addr_slot *gone, int count)
{
	struct addr_slot **p = &cs->slots[addr_hash(gone->addr)];

	if (count)
		gone->n--;
	if (gone->n > 0)
		return;
	while (*p != NULL && *p != gone)
		p = &(*p)->next;
	if (*p == gone)
		*p = gone->next;
	free(gone);
}

/* The listener runs when it exists, no back-off is on and we are below
 * the cap. */
static void
listener_update(struct eb_conns *cs)
{
	int want = cs->lev != NULL && !cs->backing_off && cs->open < cs->max;

	if (cs->lev == NULL || want == cs->lev_on)
		return;
	if (want) {
		evconnlistener_enable(cs->lev);
	} else {
		evconnlistener_disable(cs->lev);
		if (cs->open >= cs->max)
			ratelog(&cs->log_cap, "connection limit reached: %u "
			    "open (max_connections); new connections wait in "
			    "the backlog until some close", cs->open);
	}
	cs->lev_on = want;
}

/* Shut the socket both ways: evhttp reads EOF and frees the connection
 * (and with it the SSL and our record).  The descriptor stays evhttp's. */
static void
conn_shut(struct conn *c)
{
	int fd = SSL_get_fd(c->ssl);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

static void
conn_unlink(struct eb_conns *cs, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->all = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* SSL_free() of a connection: the record goes with it. */
static void
conn_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct conn *c = ptr;
	struct eb_conns *cs;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	cs = c->cs;
	conn_unlink(cs, c);
	if (c->slot != NULL)
		slot_put(cs, c->slot, 1);
	event_free(c->deadline);
	free(c);
	cs->open--;
	listener_update(cs);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd; (void)what;
	ratelog(&c->cs->log_deadline, "request deadline: closed a connection "
	    "from %s that sent no whole request in %lld s (request_timeout)",
	    c->addr[0] != '\0' ? c->addr : "?",
	    (long long)c->cs->deadline_tv.tv_sec);
	conn_shut(c);
}

/*
 * Read the client address of a new connection; apply the per-address cap.
 * TCP_NODELAY once per connection: Linux gives accepted sockets the
 * listening socket's (http.c sets it there), this is for a kernel that
 * would not; it was set again on every request before (one system call
 * per request, docs/performance.md, issue 17 tenth pass).
 */
static void
conn_place(struct eb_conns *cs, struct conn *c)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	struct addr_slot *s;
	int fd = SSL_get_fd(c->ssl), one = 1;
	const void *a = NULL;

	c->placed = 1;
	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (a == NULL || inet_ntop(ss.ss_family, a, c->addr,
	    sizeof(c->addr)) == NULL) {
		c->addr[0] = '\0';
		return;
	}
	if (cs->per_addr == 0)
		return;
	s = slot_get(cs, c->addr);
	if (s->n >= cs->per_addr) {
		ratelog(&cs->log_addr, "per-address cap: refused a connection "
		    "from %s (%u open from it, max_connections_per_address)",
		    c->addr, s->n);
		slot_put(cs, s, 0);
		conn_shut(c);
		return;
	}
	s->n++;
	c->slot = s;
}

static void
place_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_conns *cs = arg;
	struct conn *c, *next;

	(void)fd; (void)what;
	for (c = cs->all; c != NULL && !c->placed; c = next) {
		next = c->next;
		conn_place(cs, c);
	}
}

struct bufferevent *
eb_conns_bev(struct event_base *base, void *arg)
{
	struct eb_conns *cs = arg;
	SSL *ssl = SSL_new(cs->ctx);
	struct conn *c = NULL;
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	c = eb_calloc(1, sizeof(*c));
	if ((c->deadline = evtimer_new(base, deadline_cb, c)) == NULL ||
	    SSL_set_ex_data(ssl, cs->ex_idx, c) != 1) {
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		SSL_free(ssl);
		return NULL;
	}
	c->cs = cs;
	c->ssl = ssl;
	c->refuse = cs->refuse_above > 0 && cs->open >= cs->refuse_above;
	c->next = cs->all;
	if (cs->all != NULL)
		cs->all->prev = c;
	cs->all = c;
	cs->open++;
	evtimer_add(c->deadline, c->refuse ? &cs->refused_tv :
	    &cs->deadline_tv);
	event_active(cs->place_ev, EV_TIMEOUT, 0);
	listener_update(cs);
	/* On failure bufferevent_openssl frees ssl (and so our record). */
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static struct conn *
conn_of(struct eb_conns *cs, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evcon != NULL ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;

	return ssl != NULL ? SSL_get_ex_data(ssl, cs->ex_idx) : NULL;
}

void
eb_conns_request_in(struct eb_conns *cs, struct evhttp_connection *evcon)
{
	struct conn *c = conn_of(cs, evcon);

	if (c != NULL)
		evtimer_del(c->deadline);
}

void
eb_conns_reply_out(struct eb_conns *cs, struct evhttp_connection *evcon)
{
	struct conn *c = conn_of(cs, evcon);

	if (c != NULL)
		evtimer_add(c->deadline, &cs->deadline_tv);
}

int
eb_conns_refused(struct eb_conns *cs, struct evhttp_connection *evcon)
{
	struct conn *c = conn_of(cs, evcon);

	if (c == NULL || !c->refuse)
		return 0;
	ratelog(&cs->log_refuse, "connection cap: refused a connection from "
	    "%s with 503 too-many-connections (%u open, "
	    "refuse_connections_above %u)", c->addr[0] != '\0' ? c->addr :
	    "?", cs->open, cs->refuse_above);
	return 1;
}

int
eb_conns_actor(struct eb_conns *cs, X509 *peer, struct eb_actor *out,
    struct eb_error *err)
{
	const unsigned char *der = NULL;
	size_t len = 0, i;
	uint64_t h = 14695981039346656037ULL;
	struct actor_slot *s;
	int rc;

	if (peer == NULL || X509_NAME_get0_der(X509_get_subject_name(peer),
	    &der, &len) != 1 || der == NULL)
		return eb_actor_from_cert(peer, out, err);
	for (i = 0; i + 8 <= len; i += 8) {    /* 8 bytes a step */
		uint64_t w;

		memcpy(&w, der + i, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ der[i]) * 1099511628211ULL;
	s = &cs->actors[h % ACTOR_SLOTS];
	if (s->der != NULL && s->len == len && memcmp(s->der, der, len) == 0) {
		*out = s->actor;
		return EB_OK;
	}
	if ((rc = eb_actor_from_cert(peer, out, err)) != EB_OK)
		return rc;
	free(s->der);
	s->der = eb_malloc(len);
	memcpy(s->der, der, len);
	s->len = len;
	s->actor = *out;
	return EB_OK;
}

static void
backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_conns *cs = arg;

	(void)fd; (void)what;
	if (cs->reserve_fd < 0)
		cs->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	cs->backing_off = 0;
	listener_update(cs);
}

/*
 * accept() failed with something other than EAGAIN/EINTR/ECONNABORTED.
 * Out of descriptors: give the reserve back, accept and close what waits
 * (so those clients fail now instead of hanging), take the reserve again.
 * In every case pause the listener for BACKOFF_MS: without this callback
 * libevent retries at once and logs every failure (100 % CPU, 1.45 GB of
 * log in 30 s under attack).
 */
static void
accept_error(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct eb_conns *cs = listened;
	struct timeval tv = { 0, BACKOFF_MS * 1000 };
	int shed = 0, fd;

	(void)arg;
	if (cs == NULL || cs->lev != lev) {
		evconnlistener_disable(lev);
		return;
	}
	if ((err == EMFILE || err == ENFILE) && cs->reserve_fd >= 0) {
		close(cs->reserve_fd);
		while (shed < SHED_MAX && (fd = accept4(
		    evconnlistener_get_fd(lev), NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(fd);
			shed++;
		}
		cs->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	cs->backing_off = 1;
	listener_update(cs);
	evtimer_add(cs->backoff_ev, &tv);
	if (err == EMFILE || err == ENFILE)
		ratelog(&cs->log_accept, "out of file descriptors (accept: %s) "
		    "with %u connections open: closed %d waiting connections; "
		    "accepting again in %d ms (raise the open-file limit or "
		    "lower max_connections)", strerror(err), cs->open, shed,
		    BACKOFF_MS);
	else
		ratelog(&cs->log_accept, "accept failed: %s; accepting again "
		    "in %d ms", strerror(err), BACKOFF_MS);
}

void
eb_conns_listen(struct eb_conns *cs, struct evconnlistener *lev)
{
	cs->lev = lev;
	cs->lev_on = 1;                      /* evhttp leaves it enabled */
	listened = cs;
	evconnlistener_set_error_cb(lev, accept_error);
	listener_update(cs);
}

void
eb_conns_unlisten(struct eb_conns *cs)
{
	if (listened == cs)
		listened = NULL;
	cs->lev = NULL;
	cs->backing_off = 0;
	if (cs->backoff_ev != NULL)
		evtimer_del(cs->backoff_ev);
}

unsigned
eb_conns_open(const struct eb_conns *cs)
{
	return cs->open;
}

struct eb_conns *
eb_conns_new(struct event_base *base, SSL_CTX *ctx,
    const struct eb_config *cfg, struct eb_error *err)
{
	struct eb_conns *cs = eb_calloc(1, sizeof(*cs));
	struct rlimit rl;
	unsigned long long nofile = 1000000, reserve, fit;

	cs->base = base;
	cs->ctx = ctx;
	cs->reserve_fd = -1;
	cs->ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_ex_free);
	cs->place_ev = event_new(base, -1, 0, place_cb, cs);
	cs->backoff_ev = evtimer_new(base, backoff_cb, cs);
	/* these fail only when OpenSSL or libevent cannot allocate */
	if (cs->ex_idx < 0 || cs->place_ev == NULL || cs->backoff_ev == NULL)
		eb_oom("connection admission", 0);
	if ((cs->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		eb_fail(err, EB_ERR_IO, "no-descriptors",
		    "Raise the open-file limit (ulimit -n, LimitNOFILE).",
		    "cannot open the reserve descriptor: %s", strerror(errno));
		eb_conns_free(cs);
		return NULL;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = (unsigned long long)rl.rlim_cur;
	reserve = FD_RESERVE + (unsigned long long)cfg->db_connections +
	    2 * (unsigned long long)cfg->workers;
	fit = nofile > reserve + 16 ? nofile - reserve :
	    (nofile / 2 > 0 ? nofile / 2 : 1);
	if (fit > 1000000)
		fit = 1000000;
	cs->max = cfg->max_connections > 0 ? (unsigned)cfg->max_connections :
	    (unsigned)fit;
	cs->per_addr = (unsigned)cfg->max_connections_per_address;
	cs->refuse_above = (unsigned)cfg->refuse_connections_above;
	cs->deadline_tv.tv_sec = (time_t)cfg->request_timeout;
	cs->refused_tv.tv_sec = (time_t)(cfg->request_timeout <
	    REFUSED_DEADLINE_S ? cfg->request_timeout : REFUSED_DEADLINE_S);
	if (cs->max > fit)
		eb_log(EB_LOG_WARN, "max_connections %u is more than the "
		    "open-file limit %llu leaves for clients (%llu): accept() "
		    "will run out of descriptors first (ebidd then backs off)",
		    cs->max, nofile, fit);
	eb_log(EB_LOG_INFO, "connections: at most %u (open-file limit %llu), "
	    "%u per address%s, request_timeout %lld s%s", cs->max, nofile,
	    cs->per_addr, cs->per_addr == 0 ? " (no cap)" : "",
	    (long long)cfg->request_timeout, cs->refuse_above > 0 ?
	    ", 503 above refuse_connections_above" : "");
	return cs;
}

/*
 * Detach every record from its SSL (evhttp frees the connections, some
 * of them later, from event_base_free()) and free everything of ours.
 */
void
eb_conns_free(struct eb_conns *cs)
{
	struct conn *c, *next;
	struct addr_slot *s, *sn;

	if (cs == NULL)
		return;
	eb_conns_unlisten(cs);
	for (c = cs->all; c != NULL; c = next) {
		next = c->next;
		SSL_set_ex_data(c->ssl, cs->ex_idx, NULL);
		event_free(c->deadline);
		free(c);
	}
	for (size_t i = 0; i < ACTOR_SLOTS; i++)
		free(cs->actors[i].der);
	for (size_t i = 0; i < ADDR_BUCKETS; i++)
		for (s = cs->slots[i]; s != NULL; s = sn) {
			sn = s->next;
			free(s);
		}
	if (cs->place_ev != NULL)
		event_free(cs->place_ev);
	if (cs->backoff_ev != NULL)
		event_free(cs->backoff_ev);
	if (cs->reserve_fd >= 0)
		close(cs->reserve_fd);
	free(cs);
}
