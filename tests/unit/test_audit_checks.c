/*
 * tests/unit/test_audit_checks.c
 *    tools/audit_checks.{c,h}, the per-entry checks of `ebid-audit verify`
 *    on a pool of threads, fed by a log still being read (verify --db):
 *    the replay takes every entry and the checks end, also when the
 *    replay waits for a run of entries reaching past the log's end that a
 *    worker has taken but not yet found absent (the feed answers late
 *    that there is no such entry).  Before e6128f9 nothing woke the
 *    replay then and verify --db hung at the log's end (2 of 12 runs of a
 *    31,434-entry sale).  A watchdog fails the test instead of hanging.
 *
 *    The entries' stored events are not XML, so each check stops at their
 *    parse (no trust, no schema needed); what is tested is the hand-over
 *    between the workers and the replay, not the checks themselves.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "protocol/logdoc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"
#include "tools/audit_checks.h"

#define N 8

struct feed {
	size_t n;
	useconds_t last_delay, absent_delay;   /* entry n - 1, entry n */
};

/* Entry i is there at once, except the last (late) and the absent one
 * after it (said absent later still). */
static int
feed(void *arg, size_t i)
{
	const struct feed *f = arg;

	if (i + 1 == f->n)
		usleep(f->last_delay);
	if (i == f->n)
		usleep(f->absent_delay);
	return i < f->n;
}

static void
watchdog(int sig)
{
	static const char msg[] = "test_audit_checks: the replay did not "
	    "get its entries within 20 s (a lost wake-up)\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static struct eb_audit_log *
bad_events_log(size_t n)
{
	struct eb_audit_log *l = eb_audit_log_new("S-2026-0001", "sale");

	l->declared_entries = -1;
	for (size_t i = 0; i < n; i++) {
		struct eb_audit_entry e;

		memset(&e, 0, sizeof(e));
		e.seq = (int64_t)i + 1;
		e.command = (uint8_t *)eb_strdup("not a CMS message");
		e.command_len = strlen((char *)e.command);
		e.events_bytes = (uint8_t *)eb_strdup("<events");
		e.events_len = strlen((char *)e.events_bytes);
		eb_audit_log_add(l, &e);
	}
	return l;
}

/*
 * The replay reaches entry n - 1 while it is still being checked and a
 * worker already holds entry n (not in the log): it waits for a run that
 * reaches entry n; only the feed's late "absent" can end that wait.
 */
static void
test_end_of_feed_wakes_the_replay(void **state)
{
	(void)state;
	signal(SIGALRM, watchdog);
	for (int jobs = 2; jobs <= 4; jobs++) {
		struct feed f = { N, 200000, 400000 };
		struct eb_audit_log *l = bad_events_log(N);
		struct eb_audit_checks *c = eb_audit_checks_start_fed(l, feed,
		    &f, NULL, NULL, NULL, 0, jobs);

		alarm(20);
		for (size_t i = 0; i < N; i++) {
			struct eb_audit_pre *p;

			if (i + 1 == N)
				usleep(50000);  /* the workers hold n - 1, n */
			p = eb_audit_checks_get(c, i);
			assert_non_null(p);
			assert_int_equal(p->events_rc, EB_ERR_FORMAT);
			eb_audit_checks_release(c, i);
		}
		eb_audit_checks_stop(c);
		alarm(0);
		eb_audit_log_free(l);
	}
}

/* Every entry of a longer log, fed at once, on 1 to 4 threads. */
static void
test_every_entry_once(void **state)
{
	(void)state;
	signal(SIGALRM, watchdog);
	for (int jobs = 1; jobs <= 4; jobs++) {
		struct feed f = { 1000, 0, 0 };
		struct eb_audit_log *l = bad_events_log(f.n);
		struct eb_audit_checks *c = eb_audit_checks_start_fed(l, feed,
		    &f, NULL, NULL, NULL, 0, jobs);

		alarm(20);
		for (size_t i = 0; i < f.n; i++) {
			struct eb_audit_pre *p = eb_audit_checks_get(c, i);

			assert_non_null(p);
			assert_int_not_equal(p->events_rc, EB_OK);
			eb_audit_checks_release(c, i);
		}
		eb_audit_checks_stop(c);
		alarm(0);
		eb_audit_log_free(l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_of_feed_wakes_the_replay),
		cmocka_unit_test(test_every_entry_once),
	};

	eb_xml_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
