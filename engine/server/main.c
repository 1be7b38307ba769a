/*
 * engine/server/main.c
 *    ebidd: the tender engine's server.
 *
 *    ebidd --config FILE [--migrate] [--port N]
 *          [--test-clock=driven|accelerated:FACTOR]
 *
 * Start-up (every failure here is fatal with a clear message, exit 1):
 * configuration, log, test clock, migrations (schema/NNNN_*.sql, once
 * each), the key process (keyproc.h: forked before any thread, it alone
 * reads the signing, TSA and opening authority keys), trust, the
 * certificates, the XSD, the TLS context (its key stays here: it only
 * authenticates the channel), the database pool, the listening socket,
 * the pid file; then the network process drops its privileges
 * (privdrop.h: user, no new privileges, system-call filter).
 * `--migrate` applies the migrations and exits 0.
 * Then one libevent loop serves every request; per-request failures are
 * answered and never end the loop.
 *
 * Shutdown on SIGTERM/SIGINT: stop accepting, let the commands in flight
 * finish (their transactions commit and their replies go out; at most 10
 * s, and no longer than command_budget_ms when every command left is
 * still in the workers: none of those has reached the log), close the
 * database, stop the workers (waiting at most 1 s: a worker stuck in a
 * job is abandoned and the process ends with _exit, its command never
 * acknowledged), remove the pid file, exit 0.  SIGPIPE ignored.
 * The key process ending (SIGCHLD) stops the server the same way, exit
 * status 1, so that the service manager restarts both.
 *
 * INTERFACE: main()
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <openssl/rand.h>

#include "engine/server/aggs.h"
#include "engine/server/board.h"
#include "engine/server/commands.h"
#include "engine/server/directory.h"
#include "engine/server/heads.h"
#include "engine/server/keyproc.h"
#include "engine/server/log.h"
#include "engine/server/metrics.h"
#include "engine/server/monitoring.h"
#include "engine/server/service.h"
#include "engine/server/notify.h"
#include "engine/server/ocspclient.h"
#include "engine/server/privdrop.h"
#include "engine/server/server.h"
#include "engine/server/reads.h"
#include "engine/server/rebuild.h"
#include "engine/server/receipts.h"
#include "engine/server/recovery.h"
#include "engine/server/system.h"
#include "engine/server/timers.h"
#include "engine/server/tls.h"
#include "engine/server/upload.h"
#include "engine/server/watch.h"
#include "engine/server/workers.h"
#include "protocol/receipt.h"
#include "protocol/revocation.h"

#define DRAIN_MAX_MS 10000
#define WORKERS_STOP_MS 1000

struct drain {
	struct eb_server *srv;
	struct event *timer;
	int64_t started;
	int keyproc_gone;           /* exit status 1 */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ebidd --config FILE [--migrate] [--port N]\n"
	    "             [--test-clock=driven|accelerated:FACTOR]\n"
	    "  --config FILE   settings, `key = value` lines "
	    "(docs/operations-server.md)\n"
	    "  --migrate       apply the database migrations and exit\n"
	    "  --rebuild-read-models  fold every log again and rewrite the read\n"
	    "                  models (no other ebidd may be writing), then exit\n"
	    "  --port N        listen on port N (overrides listen's port)\n"
	    "  --test-clock=M  FOR TESTS ONLY: a driven or accelerated clock\n");
}

/* the pid file once written: a start that fails removes it */
static const char *pid_written;

static void
fatal_e(const struct eb_error *e, const char *what)
{
	if (pid_written != NULL)
		(void)unlink(pid_written);
	eb_log(EB_LOG_ERROR, "%s: %s%s%s", what, e->primary,
	    e->detail[0] ? ": " : "", e->detail);
	fprintf(stderr, "ebidd: %s: %s\n", what, e->primary);
	if (e->detail[0])
		fprintf(stderr, "  detail: %s\n", e->detail);
	if (e->hint[0])
		fprintf(stderr, "  hint: %s\n", e->hint);
	exit(1);
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct drain *d = arg;
	struct eb_server *srv = d->srv;
	unsigned busy = eb_commands_busy(srv->cmds) + eb_reads_busy(srv);
	size_t db = eb_store_busy(srv->store);
	size_t detached = eb_watch_detached(srv);
	int64_t waited = eb_clock_mono_us() / 1000 - d->started;
	struct eb_workers_stats ws;
	int only_workers;

	(void)fd;
	(void)what;
	/* reads of watchers already answered: nobody waits for them */
	db -= detached < db ? detached : db;
	/* The commands left are all still in the workers (verify/parse):
	 * none has reached the log or been answered, so after the budget
	 * they are abandoned rather than waited for. */
	eb_workers_stats(srv->workers, &ws);
	only_workers = db == 0 && busy > 0 &&
	    (size_t)busy <= (size_t)ws.busy + ws.queued &&
	    waited > srv->cfg->command_budget_ms;
	if ((busy == 0 && db == 0 && srv->reqs_open == 0) ||
	    waited > DRAIN_MAX_MS || only_workers) {
		if (busy != 0 || db != 0 || srv->reqs_open != 0)
			eb_log(EB_LOG_WARN, "shutdown: giving up on %u commands "
			    "(%d in the workers, the oldest for %lld ms), %zu "
			    "queries, %u requests", busy, ws.busy,
			    (long long)ws.oldest_ms, db, srv->reqs_open);
		event_base_loopexit(srv->base, NULL);
		return;
	}
	{
		struct timeval tv = { 0, 20000 };
		evtimer_add(d->timer, &tv);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct drain *d = arg;
	struct eb_server *srv = d->srv;
	struct timeval tv = { 0, 0 };

	(void)what;
	if (srv->stopping)
		return;
	srv->stopping = 1;
	eb_service_notify("STOPPING=1");
	eb_log(EB_LOG_INFO, "signal %d: stopping (no new connections; "
	    "finishing %u commands)", (int)sig, eb_commands_busy(srv->cmds) + eb_reads_busy(srv));
	eb_http_stop_accepting(srv);
	eb_board_stop_accepting(srv);
	eb_watch_stop(srv);         /* answer the parked long polls now */
	d->started = eb_clock_mono_us() / 1000;
	evtimer_add(d->timer, &tv);
}

/* SIGCHLD: the key process ended; nothing can be signed: stop. */
static void
child_cb(evutil_socket_t sig, short what, void *arg)
{
	struct drain *d = arg;
	pid_t kp = eb_keyproc_pid(d->srv->kp);
	int st = 0;

	(void)what;
	if (kp <= 0 || waitpid(kp, &st, WNOHANG) != kp)
		return;
	eb_keyproc_forget(d->srv->kp);
	d->keyproc_gone = 1;
	if (WIFSIGNALED(st))
		eb_log(EB_LOG_ERROR, "the key process (pid %ld) was killed by "
		    "signal %d: stopping", (long)kp, WTERMSIG(st));
	else
		eb_log(EB_LOG_ERROR, "the key process (pid %ld) exited with "
		    "status %d: stopping", (long)kp, WEXITSTATUS(st));
	signal_cb(sig, what, arg);
}

/*
 * The revocation lists of the crl setting into the trust (none when it is
 * empty).  On failure the lists in force stay.
 */
static int
load_crl(struct eb_server *srv, struct eb_error *err)
{
	struct eb_revocations *r;
	int64_t next;

	if (*srv->cfg->crl == '\0') {
		eb_trust_set_revocations(srv->trust, NULL);
		return EB_OK;
	}
	if ((r = eb_revocations_load(srv->cfg->crl,
	    eb_trust_store(srv->trust), err)) == NULL)
		return err->code;
	next = eb_revocations_next_update(r);
	eb_log(EB_LOG_INFO, "revocations: %zu certificate(s) revoked in %zu "
	    "CRL(s) of %s", eb_revocations_count(r), eb_revocations_crls(r),
	    srv->cfg->crl);
	if (next != 0 && next < eb_clock_now(&srv->clock))
		eb_log(EB_LOG_WARN, "revocations: a CRL of %s is past its "
		    "next update: load the CA's newer list and send SIGHUP",
		    srv->cfg->crl);
	eb_trust_set_revocations(srv->trust, r);
	return EB_OK;
}

/* SIGHUP: reload what can be reloaded (the revocation lists, the OCSP
 * answers kept). */
static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct eb_server *srv = arg;
	struct eb_error e;

	(void)sig;
	(void)what;
	eb_error_clear(&e);
	eb_service_hup();       /* the log file (service.c) */
	eb_log(EB_LOG_INFO, "SIGHUP: reloading the revocation lists");
	if (load_crl(srv, &e) != EB_OK)
		eb_log(EB_LOG_ERROR, "SIGHUP: %s (%s); the lists in force stay",
		    e.primary, e.reason);
	if (srv->ocsp != NULL)
		eb_log(EB_LOG_INFO, "SIGHUP: %zu OCSP answer(s) forgotten; "
		    "each certificate is asked again at its next use",
		    eb_ocspc_flush(srv));
	eb_service_notify("READY=1");
}

/*
 * The TLS key stays in the network process (the handshake needs it; it
 * authenticates the channel only).  When it is also the signing key the
 * separation protects less: say so.
 */
static void
warn_shared_key(const struct eb_config *cfg, X509 *signing)
{
	struct eb_error e;
	X509 *tls;

	eb_error_clear(&e);
	if ((tls = eb_pem_cert_load(cfg->cert, &e)) == NULL)
		return;
	if (EVP_PKEY_eq(X509_get0_pubkey(tls), X509_get0_pubkey(signing)) == 1)
		eb_log(EB_LOG_WARN, "the TLS key (key) is also the signing key: "
		    "the network process holds it; set signing_cert and "
		    "signing_key to a key of their own "
		    "(docs/operations-server.md, Privilege separation)");
	X509_free(tls);
}

static int
write_pid(const char *path, struct eb_error *err)
{
	FILE *f;

	if (path == NULL || *path == '\0')
		return EB_OK;
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%ld\n",
	    (long)getpid()) < 0 || fclose(f) != 0)
		return eb_fail(err, EB_ERR_IO, "pid-file",
		    "Check the pid_file setting and the folder's permissions.",
		    "cannot write pid file %s: %s", path, strerror(errno));
	return EB_OK;
}

/*
 * glibc's malloc keeps, by default, a dynamic threshold: once a block of
 * N bytes (up to 32 MiB) that it had mapped is freed, blocks below N come
 * from the heaps and a thread's heap keeps up to 2 N of free space at
 * its top for good.  After a busy day ebidd's worker heaps held about
 * 4 MiB that way with 0.2 MiB in use, which no connection of the loop
 * thread can reuse (10,000 idle connections, docs/performance.md issue 17
 * fifth pass).  Fixed thresholds: blocks of 1 MiB and more are mapped
 * and given back when freed, and a heap's free top above 2 MiB is given
 * back.  Blocks below 1 MiB (100 KiB bids, 138 KB commands) come from the
 * heaps as before.  GLIBC_TUNABLES's malloc settings, when given, win.
 */
static void
malloc_settings(void)
{
	const char *t = getenv("GLIBC_TUNABLES");

	if (t != NULL && strstr(t, "glibc.malloc.") != NULL)
		return;
	(void)mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
}

/*
 * The event loop.  epoll with libevent's change list: the changes a pass
 * of the loop makes to a descriptor's events go to the kernel as one
 * epoll_ctl() before the next epoll_wait(), or none when they cancel
 * out.  A keep-alive request's reply path (evhttp stops reading, the
 * reply arms writing, reading again once written) made four epoll_ctl()
 * per request without it (docs/performance.md, issue 17 tenth pass).
 * libevent's caveat for the change list, a descriptor dup()ed into two
 * that the loop watches, does not arise: ebidd watches no dup()ed
 * descriptor, and forks (the key process) before the loop exists.  Other
 * back-ends ignore the flag.
 */
static struct event_base *
loop_new(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *b;

	if (ec == NULL)
		return NULL;
	(void)event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	b = event_base_new_with_config(ec);
	event_config_free(ec);
	return b;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "rebuild-read-models", no_argument, NULL, 'R' },
		{ "port", required_argument, NULL, 'p' },
		{ "test-clock", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct eb_config cfg;
	struct eb_server srv;
	struct eb_error e;
	struct drain dr;
	struct event *ev_term = NULL, *ev_int = NULL, *ev_hup = NULL;
	struct event *ev_chld = NULL;
	const char *config_path = NULL, *clock_spec = NULL, *port = NULL;
	const char *owner_db;
	char xsd[4096];
	int migrate_only = 0, rebuild_only = 0, opt, applied = 0, stuck;

	malloc_settings();
	memset(&srv, 0, sizeof(srv));
	memset(&dr, 0, sizeof(dr));
	eb_error_clear(&e);
	if (eb_config_defaults(&cfg) != EB_OK) {
		fprintf(stderr, "ebidd: out of memory\n");
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "c:mp:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'm': migrate_only = 1; break;
		case 'R': rebuild_only = 1; break;
		case 'p': port = optarg; break;
		case 't': clock_spec = optarg; break;
		case 'h': usage(stdout); eb_config_free(&cfg); return 0;
		default: usage(stderr); eb_config_free(&cfg); return 2;
		}
	}
	if (config_path == NULL || optind != argc) {
		usage(stderr);
		eb_config_free(&cfg);
		return 2;
	}
	if (eb_config_load(&cfg, config_path, &e) != EB_OK)
		fatal_e(&e, "configuration");
	if (port != NULL) {
		char host[256], listen[300];
		int p;
		if (eb_config_split_listen(cfg.listen, host, sizeof(host), &p,
		    &e) != EB_OK)
			fatal_e(&e, "configuration");
		snprintf(listen, sizeof(listen), strchr(host, ':') ?
		    "[%s]:%s" : "%s:%s", host, port);
		if (eb_config_set(&cfg, "listen", listen, &e) != EB_OK)
			fatal_e(&e, "--port");
	}
	if (eb_config_check(&cfg, &e) != EB_OK)
		fatal_e(&e, "configuration");
	if (eb_log_open(cfg.log_file, &e) != EB_OK)
		fatal_e(&e, "log");
	eb_log_set_json(strcmp(cfg.log_format, "json") == 0);
	srv.cfg = &cfg;
	if (eb_clock_init(&srv.clock, clock_spec, &e) != EB_OK)
		fatal_e(&e, "--test-clock");
	if (srv.clock.mode != EB_CLOCK_SYSTEM)
		eb_log(EB_LOG_WARN, "TEST CLOCK IN USE: %s%s (never in "
		    "production; every entry records clock=\"%s\")",
		    eb_clock_name(&srv.clock), srv.clock.mode ==
		    EB_CLOCK_ACCELERATED ? " (accelerated)" : "",
		    eb_clock_name(&srv.clock));

	/*
	 * Least privilege (docs/operations.md): the owner's connection
	 * (migrate_db) changes the schema; the running server's (db) may be
	 * a role that can only append and read, and then only checks.
	 */
	owner_db = *cfg.migrate_db != '\0' ? cfg.migrate_db : cfg.db;
	if (migrate_only || rebuild_only || cfg.migrate_at_start) {
		if (eb_store_migrate(owner_db, cfg.schema_dir, &applied, &e) !=
		    EB_OK)
			fatal_e(&e, "database migration");
		eb_log(EB_LOG_INFO, "migrations: %d applied now", applied);
	} else {
		int pending = 0;

		if (eb_store_migrations_pending(cfg.db, cfg.schema_dir,
		    &pending, &e) != EB_OK)
			fatal_e(&e, "database migration check");
		if (pending > 0) {
			(void)eb_fail(&e, EB_ERR_STATE, "migrate-pending",
			    "Run `ebidd --config FILE --migrate` (it connects "
			    "with migrate_db, the schema owner), then start "
			    "ebidd again.", "%d database migration(s) of %s "
			    "not applied and migrate_at_start = 0", pending,
			    cfg.schema_dir);
			fatal_e(&e, "database migration check");
		}
	}
	if (rebuild_only) {
		int n = 0;

		if (eb_rebuild_read_models(owner_db, &n, &e) != EB_OK)
			fatal_e(&e, "rebuild");
		printf("ebidd: read models of %d aggregates rebuilt from the "
		    "log\n", n);
		eb_config_free(&cfg);
		return 0;
	}
	if (migrate_only) {
		printf("ebidd: database migrated (%d applied now)\n", applied);
		eb_config_free(&cfg);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	/* the pid file first: the key process holds its folder to remove it
	 * at the end (keyproc.c) */
	if (write_pid(cfg.pid_file, &e) != EB_OK)
		fatal_e(&e, "pid file");
	if (*cfg.pid_file != '\0')
		pid_written = cfg.pid_file;
	/* Before any thread and before any key is read here: the key
	 * process loads the signing, TSA and opening authority keys and
	 * checks each against its certificate. */
	if ((srv.kp = eb_keyproc_start(&cfg, &e)) == NULL)
		fatal_e(&e, "key process");
	eb_log(EB_LOG_INFO, "key process %ld holds the signing%s%s keys",
	    (long)eb_keyproc_pid(srv.kp), *cfg.tsa_cert ? ", TSA" : "",
	    *cfg.opening_authority_cert ? ", opening authority" : "");
	eb_xml_init();
	if ((srv.trust = eb_trust_load(cfg.ca, &e)) == NULL)
		fatal_e(&e, "ca");
	if ((srv.cert = eb_pem_cert_load(*cfg.signing_cert ?
	    cfg.signing_cert : cfg.cert, &e)) == NULL)
		fatal_e(&e, "signing_cert");
	warn_shared_key(&cfg, srv.cert);
	srv.has_tsa = *cfg.tsa_cert != '\0';
	if (*cfg.opening_authority_cert != '\0') {
		if ((srv.opening_ca = eb_pem_cert_load(
		    cfg.opening_authority_cert, &e)) == NULL)
			fatal_e(&e, "opening authority");
	} else {
		eb_log(EB_LOG_WARN, "no opening_authority_cert: opening "
		    "certificates are issued by the server certificate and "
		    "have no valid path; ebid bid seal refuses them "
		    "(docs/crypto.md section 5)");
	}
	snprintf(xsd, sizeof(xsd), "%s/ebid.xsd", cfg.xsd_dir);
	eb_xml_lean_schema(1);      /* sealed bids and their opening: xml.h */
	if ((srv.schema = eb_schema_load(xsd, &e)) == NULL)
		fatal_e(&e, "xsd");
	if ((srv.ssl = eb_tls_server_ctx(cfg.ca, cfg.cert, cfg.key, &e)) ==
	    NULL)
		fatal_e(&e, "tls");
	if (load_crl(&srv, &e) != EB_OK)
		fatal_e(&e, "crl");
	eb_tls_check_revocation(srv.ssl, srv.trust);
	if (evthread_use_pthreads() != 0 || (srv.base = loop_new()) == NULL) {
		fprintf(stderr, "ebidd: cannot create the event loop\n");
		return 1;
	}
	if (RAND_bytes((unsigned char *)&srv.boot_id,
	    sizeof(srv.boot_id)) != 1)
		srv.boot_id = (uint32_t)getpid();
	if ((srv.store = eb_store_open(srv.base, cfg.db,
	    (int)cfg.db_connections, &e)) == NULL)
		fatal_e(&e, "database");
	if ((srv.workers = eb_workers_new(srv.base, (int)cfg.workers, &e)) ==
	    NULL)
		fatal_e(&e, "workers");
	if ((srv.aggs = eb_aggs_new(&srv)) == NULL ||
	    eb_reads_init(&srv) != EB_OK ||
	    (srv.cmds = eb_commands_new(&srv)) == NULL) {
		fprintf(stderr, "ebidd: out of memory\n");
		return 1;
	}
	if (eb_system_init(&srv, &e) != EB_OK)
		fatal_e(&e, "server certificate");
	/* process monitoring: ebidd's observations (monitoring.h) */
	eb_commands_set_observer(srv.cmds, eb_monitoring_committed);
	if (eb_receipts_init(&srv) != EB_OK) {
		fprintf(stderr, "ebidd: out of memory\n");
		return 1;
	}
	if (eb_directory_init(&srv, &e) != EB_OK ||
	    eb_heads_init(&srv, &e) != EB_OK)
		fatal_e(&e, "server certificate");
	if (eb_watch_init(&srv, &e) != EB_OK)
		fatal_e(&e, "watch");
	if (eb_uploads_init(&srv, &e) != EB_OK)
		fatal_e(&e, "uploads");
	if (eb_ocspc_init(&srv, &e) != EB_OK)    /* before the filter */
		fatal_e(&e, "ocsp");
	/* "committed" (notify.h): the live watches hear it, then ebidd's
	 * own steps and timers */
	if (eb_metrics_start(&srv, &e) != EB_OK)
		fatal_e(&e, "metrics_listen");
	if (eb_notify_subscribe(&srv, eb_watch_committed) != EB_OK ||
	    eb_notify_subscribe(&srv, eb_timers_committed) != EB_OK ||
	    eb_notify_subscribe(&srv, eb_metrics_committed) != EB_OK) {
		fprintf(stderr, "ebidd: out of memory\n");
		return 1;
	}
	eb_recovery_start(&srv);
	if (eb_http_start(&srv, &e) != EB_OK)
		fatal_e(&e, "listen");
	if (eb_board_start(&srv, &e) != EB_OK)
		fatal_e(&e, "public board");
	dr.srv = &srv;
	dr.timer = evtimer_new(srv.base, drain_cb, &dr);
	ev_term = evsignal_new(srv.base, SIGTERM, signal_cb, &dr);
	ev_int = evsignal_new(srv.base, SIGINT, signal_cb, &dr);
	ev_hup = evsignal_new(srv.base, SIGHUP, hup_cb, &srv);
	ev_chld = evsignal_new(srv.base, SIGCHLD, child_cb, &dr);
	if (dr.timer == NULL || ev_term == NULL || ev_int == NULL ||
	    ev_hup == NULL || ev_chld == NULL || event_add(ev_term, NULL) != 0 ||
	    event_add(ev_int, NULL) != 0 || event_add(ev_hup, NULL) != 0 ||
	    event_add(ev_chld, NULL) != 0) {
		fprintf(stderr, "ebidd: cannot install signal handlers\n");
		return 1;
	}
	/* everything that needs root is done: the key process is
	 * separate, the listeners bound, the TLS key read */
	if (eb_privdrop(&cfg, &e) != EB_OK)
		fatal_e(&e, "privileges");
	eb_log(EB_LOG_INFO, "listening on %s (mutual TLS, max_body %lld, "
	    "clock %s, %lld database connections, %lld workers)", cfg.listen,
	    (long long)cfg.max_body, eb_clock_name(&srv.clock),
	    (long long)cfg.db_connections, (long long)cfg.workers);

	eb_service_notify("READY=1");
	event_base_dispatch(srv.base);

	/* Shutdown: everything in flight has finished or timed out. */
	/* Store first: a query still in flight (drain timed out) fails and
	 * its request is answered while its connection still exists. */
	eb_store_free(srv.store);
	if ((stuck = eb_workers_stop(srv.workers, WORKERS_STOP_MS)) > 0) {
		/* A worker is still inside a job (e.g. a parse that outlived
		 * its budget).  Its command was never answered, so nothing is
		 * lost; the job still reads the trust and the schema, so end
		 * the process here without freeing them. */
		eb_log(EB_LOG_WARN, "shutdown: %d worker(s) still busy after "
		    "%d ms; exiting without them (their commands were not "
		    "acknowledged)", stuck, WORKERS_STOP_MS);
		if (*cfg.pid_file != '\0')
			(void)unlink(cfg.pid_file);
		eb_log(EB_LOG_INFO, "stopped");
		eb_log_close();
		_exit(dr.keyproc_gone);
	}
	eb_workers_free(srv.workers);
	eb_ocspc_free(&srv);        /* answers the checks still waiting */
	eb_http_free(&srv);
	eb_uploads_free(&srv);
	eb_board_free(&srv);
	eb_metrics_free(&srv);
	eb_commands_free(srv.cmds);
	eb_reads_free(&srv);
	eb_aggs_free(srv.aggs);
	eb_heads_free(&srv);
	eb_directory_free(&srv);
	eb_receipts_free(&srv);
	eb_recovery_free(&srv);
	eb_system_free(&srv);
	eb_watch_free(&srv);
	eb_notify_free(&srv);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_chld);
	event_free(dr.timer);
	event_base_free(srv.base);
	SSL_CTX_free(srv.ssl);
	eb_schema_free(srv.schema);
	eb_keyproc_free(srv.kp);    /* the key process sees the end of file */
	X509_free(srv.cert);
	X509_free(srv.opening_ca);
	eb_trust_free(srv.trust);
	/* after the switch to `user` the key process removes it (keyproc.c) */
	if (*cfg.pid_file != '\0' && unlink(cfg.pid_file) != 0 &&
	    errno != EACCES && errno != EPERM && errno != ENOENT)
		eb_log(EB_LOG_WARN, "cannot remove pid file %s: %s",
		    cfg.pid_file, strerror(errno));
	eb_log(EB_LOG_INFO, "stopped");
	eb_log_close();
	eb_config_free(&cfg);
	return dr.keyproc_gone;
}
