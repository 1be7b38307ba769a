/*
 * engine/server/workers.c
 *    The worker pool (workers.h): one mutex, two FIFOs of jobs to run (the
 *    small lane and the general lane), a FIFO of finished jobs, and one
 *    event that the workers activate so the loop thread runs the done()
 *    functions in order of completion.  Each thread records when its
 *    current job started, for eb_workers_stats() (GET /v1/health).
 *    Each thread sleeps on a condition of its own, and a job wakes one
 *    idle thread that may run it, never more: a small job the reserved
 *    small-lane thread first (it runs at the normal priority), else an
 *    idle general-lane one; a big job an idle general-lane thread, never
 *    the small-lane one (during a surge of 138 KB sealed bids it was
 *    woken for every bid, to find nothing it may take: a futex wake and
 *    a context switch per bid).  A small job used to wake every thread
 *    (broadcast): in the hot race that was a wake-up and a context
 *    switch more per request, of the thread that found the job gone
 *    (issue 17, tenth pass).  A thread marked woken is no longer idle,
 *    so two jobs queued at once wake two threads; a thread that is not
 *    idle takes the next job when it finishes its own (it looks at the
 *    queues before it sleeps), so no job waits while a thread that may
 *    run it sleeps.
 *
 * INTERFACE: see workers.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/server/workers.h"
#include "protocol/mem.h"

#define EB_WORKERS_MAX 16
#define EB_WORKERS_BIG_NICE 10   /* general-lane threads yield the CPU */

struct wjob {
	struct wjob *next;
	eb_work_fn work, done;
	void *arg;
};

struct eb_workers;

struct wthread {
	struct eb_workers *w;
	pthread_t id;
	pthread_cond_t cv;     /* its sleep: a job for it, or stop */
	int small_only;        /* the reserved small-lane thread */
	int running;           /* the thread has not returned yet */
	int idle;              /* asleep on cv, not yet woken */
	int64_t job_start_us;  /* 0: idle */
};

struct eb_workers {
	pthread_mutex_t mu;
	pthread_cond_t ended;   /* a thread returned */
	struct wjob *small, *small_tail, *big, *big_tail;
	struct wjob *finished, *finished_tail;
	size_t queued;
	struct event *ev_done;
	struct wthread th[EB_WORKERS_MAX];
	int n, n_planned, stop;
};

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
push(struct wjob **head, struct wjob **tail, struct wjob *j)
{
	j->next = NULL;
	if (*tail != NULL)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct wjob *
pop(struct wjob **head, struct wjob **tail)
{
	struct wjob *j = *head;

	if (j != NULL) {
		*head = j->next;
		if (*head == NULL)
			*tail = NULL;
	}
	return j;
}

/* The next job thread 't' may run; NULL if none.  Under w->mu. */
static struct wjob *
take(struct eb_workers *w, const struct wthread *t)
{
	struct wjob *j = pop(&w->small, &w->small_tail);

	if (j == NULL && !t->small_only)
		j = pop(&w->big, &w->big_tail);
	if (j != NULL)
		w->queued--;
	return j;
}

static void *
worker_main(void *arg)
{
	struct wthread *t = arg;
	struct eb_workers *w = t->w;

	/* With a reserved small-lane thread, the others (big jobs: large
	 * commands, openings) run at a lower priority, so under CPU
	 * contention the loop and the small lane go first.  Linux applies
	 * nice per thread; raising it needs no privilege. */
	if (w->n_planned >= 2 && !t->small_only)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(),
		    EB_WORKERS_BIG_NICE);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct wjob *j = NULL;

		while (!w->stop && (j = take(w, t)) == NULL) {
			t->idle = 1;
			while (t->idle && !w->stop)
				pthread_cond_wait(&t->cv, &w->mu);
			t->idle = 0;
		}
		if (w->stop) {
			if (j != NULL) {       /* dropped, as queued jobs are */
				free(j);
			}
			break;
		}
		t->job_start_us = mono_us();
		pthread_mutex_unlock(&w->mu);
		j->work(j->arg);
		pthread_mutex_lock(&w->mu);
		t->job_start_us = 0;
		push(&w->finished, &w->finished_tail, j);
		event_active(w->ev_done, EV_READ, 0);
	}
	t->running = 0;
	pthread_cond_broadcast(&w->ended);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * Wake one idle thread that may run a job of this lane ('small'), the
 * small-lane thread first for a small job; none when none is idle (a
 * busy one takes the job when it finishes).  Under w->mu.
 */
static void
wake_one(struct eb_workers *w, int small)
{
	struct wthread *pick = NULL;

	for (int i = 0; i < w->n; i++) {
		struct wthread *t = &w->th[i];

		if (!t->idle || (t->small_only && !small))
			continue;
		if (pick == NULL || t->small_only)
			pick = t;
	}
	if (pick != NULL) {
		pick->idle = 0;               /* woken: not counted again */
		pthread_cond_signal(&pick->cv);
	}
}

/* Wake every thread (stop).  Under w->mu. */
static void
wake_all(struct eb_workers *w)
{
	for (int i = 0; i < w->n; i++) {
		w->th[i].idle = 0;
		pthread_cond_signal(&w->th[i].cv);
	}
}

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_workers *w = arg;
	struct wjob *list, *j;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mu);
	list = w->finished;
	w->finished = w->finished_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while ((j = list) != NULL) {
		list = j->next;
		j->done(j->arg);
		free(j);
	}
}

struct eb_workers *
eb_workers_new(struct event_base *base, int n, struct eb_error *err)
{
	struct eb_workers *w;

	if (n < 0 || n > EB_WORKERS_MAX) {
		eb_fail(err, EB_ERR_USAGE, "bad-workers",
		    "Set workers from 0 to 16.", "cannot start %d workers", n);
		return NULL;
	}
	w = eb_calloc(1, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->ended, NULL);
	for (int i = 0; i < EB_WORKERS_MAX; i++)
		pthread_cond_init(&w->th[i].cv, NULL);
	/* fails only when libevent cannot allocate */
	if ((w->ev_done = event_new(base, -1, 0, done_cb, w)) == NULL)
		eb_oom("event_new", 0);
	w->n_planned = n;
	for (int i = 0; i < n; i++) {
		struct wthread *t = &w->th[i];

		t->w = w;
		t->small_only = n >= 2 && i == n - 1;
		t->running = 1;
		if (pthread_create(&t->id, NULL, worker_main, t) != 0) {
			t->running = 0;
			eb_workers_free(w);
			eb_fail(err, EB_ERR_INTERNAL, "thread-failed", NULL,
			    "cannot start worker thread %d", i + 1);
			return NULL;
		}
		w->n++;
	}
	return w;
}

int
eb_workers_submit_sized(struct eb_workers *w, eb_work_fn work,
    eb_work_fn done, void *arg, size_t size)
{
	struct wjob *j;

	if (w->n == 0) {
		work(arg);
		done(arg);
		return EB_OK;
	}
	j = eb_calloc(1, sizeof(*j));
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	w->queued++;
	if (size <= EB_WORKERS_SMALL) {
		/* any thread may take it: wake one idle thread */
		push(&w->small, &w->small_tail, j);
		wake_one(w, 1);
	} else {
		/* only a general-lane thread may: wake one of them (each
		 * thread looks at the queues again before it sleeps, so a job
		 * that the woken one leaves is taken by the next one free) */
		push(&w->big, &w->big_tail, j);
		wake_one(w, 0);
	}
	pthread_mutex_unlock(&w->mu);
	return EB_OK;
}

int
eb_workers_submit(struct eb_workers *w, eb_work_fn work, eb_work_fn done,
    void *arg)
{
	return eb_workers_submit_sized(w, work, done, arg, (size_t)-1);
}

void
eb_workers_stats(struct eb_workers *w, struct eb_workers_stats *st)
{
	int64_t now = mono_us();

	st->threads = w->n;
	st->busy = 0;
	st->oldest_ms = 0;
	pthread_mutex_lock(&w->mu);
	st->queued = w->queued;
	for (int i = 0; i < w->n; i++) {
		int64_t s = w->th[i].job_start_us;

		if (s == 0)
			continue;
		st->busy++;
		if ((now - s) / 1000 > st->oldest_ms)
			st->oldest_ms = (now - s) / 1000;
	}
	pthread_mutex_unlock(&w->mu);
}

int
eb_workers_stop(struct eb_workers *w, int64_t wait_ms)
{
	struct timespec until;
	struct wjob *j;
	int left = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(wait_ms / 1000);
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	wake_all(w);
	while ((j = pop(&w->small, &w->small_tail)) != NULL)
		free(j);
	while ((j = pop(&w->big, &w->big_tail)) != NULL)
		free(j);
	w->queued = 0;
	for (;;) {
		left = 0;
		for (int i = 0; i < w->n; i++)
			left += w->th[i].running;
		if (left == 0 || wait_ms < 0)
			break;
		if (pthread_cond_timedwait(&w->ended, &w->mu, &until) ==
		    ETIMEDOUT) {
			left = 0;
			for (int i = 0; i < w->n; i++)
				left += w->th[i].running;
			break;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return left;
}

void
eb_workers_free(struct eb_workers *w)
{
	struct wjob *j;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	wake_all(w);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->th[i].id, NULL);
	while ((j = pop(&w->small, &w->small_tail)) != NULL)
		free(j);
	while ((j = pop(&w->big, &w->big_tail)) != NULL)
		free(j);
	while ((j = pop(&w->finished, &w->finished_tail)) != NULL)
		free(j);
	if (w->ev_done != NULL)
		event_free(w->ev_done);
	pthread_mutex_destroy(&w->mu);
	for (int i = 0; i < EB_WORKERS_MAX; i++)
		pthread_cond_destroy(&w->th[i].cv);
	pthread_cond_destroy(&w->ended);
	free(w);
}
