/*
 * tests/unit/test_workers.c
 *    engine/server/workers.{c,h}: every job's done() runs once, on the
 *    loop, and a job never waits while a thread that may run it sleeps
 *    (each job wakes one idle thread, issue 17 tenth pass):
 *    - two small jobs queued at once run at the same time on two threads
 *      (each waits until the other has started: with one wake-up for the
 *      two, or none for the second, they would never both start and the
 *      test times out);
 *    - a big job runs while a small one holds the small-lane thread, and
 *      the small-lane thread never runs a big job;
 *    - 20,000 jobs of both sizes, queued from the loop while others run,
 *      all done exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "engine/server/workers.h"

struct rendezvous {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started;
	int want;
	int timed_out;
};

struct tjob {
	struct rendezvous *rv;
	struct event_base *base;
	pthread_t ran_on;
	int done;
	int *left;
};

/* Wait (at most 5 s) until rv->want jobs have started. */
static void
meet(struct rendezvous *rv)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&rv->mu);
	rv->started++;
	pthread_cond_broadcast(&rv->cv);
	while (rv->started < rv->want)
		if (pthread_cond_timedwait(&rv->cv, &rv->mu, &until) != 0) {
			rv->timed_out = 1;
			break;
		}
	pthread_mutex_unlock(&rv->mu);
}

static void
work_meet(void *arg)
{
	struct tjob *j = arg;

	j->ran_on = pthread_self();
	meet(j->rv);
}

static void
done_count(void *arg)
{
	struct tjob *j = arg;

	j->done++;
	if (--*j->left == 0)
		event_base_loopbreak(j->base);
}

static struct event_base *
new_base(void)
{
	static int threads_on;

	if (!threads_on) {
		assert_int_equal(evthread_use_pthreads(), 0);
		threads_on = 1;
	}
	return event_base_new();
}

static void
run_loop(struct event_base *base)
{
	struct timeval ten = { 10, 0 };

	event_base_loopexit(base, &ten);   /* never hang the suite */
	event_base_dispatch(base);
}

/* Two small jobs queued back to back: both threads run them at once. */
static void
test_two_small_at_once(void **state)
{
	struct event_base *base = new_base();
	struct eb_error e;
	struct eb_workers *w = eb_workers_new(base, 2, &e);
	struct rendezvous rv = { PTHREAD_MUTEX_INITIALIZER,
		PTHREAD_COND_INITIALIZER, 0, 2, 0 };
	struct tjob j[2];
	int left = 2;

	(void)state;
	assert_non_null(w);
	for (int round = 0; round < 200; round++) {
		memset(j, 0, sizeof(j));
		rv.started = 0;
		left = 2;
		for (int i = 0; i < 2; i++) {
			j[i].rv = &rv;
			j[i].base = base;
			j[i].left = &left;
			eb_workers_submit_sized(w, work_meet, done_count, &j[i],
			    100);
		}
		run_loop(base);
		assert_int_equal(left, 0);
		assert_int_equal(rv.timed_out, 0);
		assert_int_equal(j[0].done, 1);
		assert_int_equal(j[1].done, 1);
		assert_false(pthread_equal(j[0].ran_on, j[1].ran_on));
	}
	eb_workers_free(w);
	event_base_free(base);
}

/*
 * The general-lane thread is the one a big job alone runs on.  Then, a
 * small job taken by the small-lane thread (preferred when both are
 * idle) holds it until a big job has started: the big one must wake the
 * general-lane thread.  A big job never runs on the small-lane thread.
 */
static pthread_t general;
static int small_on_small;

static void
work_small(void *arg)
{
	struct tjob *j = arg;

	j->ran_on = pthread_self();
	if (pthread_equal(j->ran_on, general)) {
		/* a general-lane thread took it (it was awake): no wait */
		pthread_mutex_lock(&j->rv->mu);
		j->rv->started++;
		pthread_cond_broadcast(&j->rv->cv);
		pthread_mutex_unlock(&j->rv->mu);
		return;
	}
	small_on_small++;
	meet(j->rv);
}

static void
wait_started(struct rendezvous *rv, int n)
{
	pthread_mutex_lock(&rv->mu);
	while (rv->started < n)
		pthread_cond_wait(&rv->cv, &rv->mu);
	pthread_mutex_unlock(&rv->mu);
}

static void
test_big_beside_small(void **state)
{
	struct event_base *base = new_base();
	struct eb_error e;
	struct eb_workers *w = eb_workers_new(base, 2, &e);
	struct rendezvous rv = { PTHREAD_MUTEX_INITIALIZER,
		PTHREAD_COND_INITIALIZER, 0, 1, 0 };
	struct tjob small, big;
	int left;

	(void)state;
	assert_non_null(w);
	memset(&big, 0, sizeof(big));
	big.rv = &rv;
	big.base = base;
	big.left = &left;
	left = 1;
	eb_workers_submit_sized(w, work_meet, done_count, &big,
	    EB_WORKERS_SMALL + 1);
	run_loop(base);
	assert_int_equal(left, 0);
	general = big.ran_on;
	small_on_small = 0;
	for (int round = 0; round < 200; round++) {
		memset(&small, 0, sizeof(small));
		memset(&big, 0, sizeof(big));
		rv.started = 0;
		rv.want = 2;
		left = 2;
		small.rv = big.rv = &rv;
		small.base = big.base = base;
		small.left = big.left = &left;
		eb_workers_submit_sized(w, work_small, done_count, &small, 10);
		wait_started(&rv, 1);
		eb_workers_submit_sized(w, work_meet, done_count, &big,
		    EB_WORKERS_SMALL + 1);
		run_loop(base);
		assert_int_equal(left, 0);
		assert_int_equal(rv.timed_out, 0);
		assert_true(pthread_equal(big.ran_on, general));
	}
	/* the small-lane thread is preferred for a small job */
	assert_true(small_on_small > 100);
	eb_workers_free(w);
	event_base_free(base);
}

/* Many jobs, both lanes, queued from the loop: each done exactly once. */
#define MANY 20000
static struct tjob many[MANY];
static int many_left;
static struct eb_workers *many_w;

static void
work_nothing(void *arg)
{
	(void)arg;
}

static void
done_more(void *arg)
{
	struct tjob *j = arg;
	size_t i = (size_t)(j - many);

	j->done++;
	/* queue the next from the loop while others run */
	if (i + 2 < MANY && i % 2 == 0) {
		eb_workers_submit_sized(many_w, work_nothing, done_more,
		    &many[i + 2], (i / 2) % 3 == 0 ? EB_WORKERS_SMALL + 1 : 200);
	}
	if (--many_left == 0)
		event_base_loopbreak(j->base);
}

static void
test_many(void **state)
{
	struct event_base *base = new_base();
	struct eb_error e;

	(void)state;
	for (int n = 1; n <= 3; n++) {
		memset(many, 0, sizeof(many));
		many_w = eb_workers_new(base, n, &e);
		assert_non_null(many_w);
		many_left = MANY;
		for (int i = 0; i < MANY; i++)
			many[i].base = base;
		/* the odd ones at once, the even ones one after another */
		eb_workers_submit_sized(many_w, work_nothing, done_more,
		    &many[0], 100);
		for (int i = 1; i < MANY; i += 2)
			eb_workers_submit_sized(many_w, work_nothing, done_more,
			    &many[i], i % 5 == 0 ? EB_WORKERS_SMALL + 1 : 100);
		run_loop(base);
		assert_int_equal(many_left, 0);
		for (int i = 0; i < MANY; i++)
			assert_int_equal(many[i].done, 1);
		eb_workers_free(many_w);
	}
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_small_at_once),
		cmocka_unit_test(test_big_beside_small),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
