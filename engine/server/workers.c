/*
 * engine/server/workers.c
 *    The worker pool (workers.h): one mutex, a FIFO of jobs to run, a FIFO
 *    of finished jobs, and one event that the workers activate so the loop
 *    thread runs the done() functions in order of completion.
 *
 * INTERFACE: see workers.h.
 */
#include <pthread.h>
#include <stdlib.h>

#include "engine/server/workers.h"

#define EB_WORKERS_MAX 16

struct wjob {
	struct wjob *next;
	eb_work_fn work, done;
	void *arg;
};

struct eb_workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *todo, *todo_tail, *finished, *finished_tail;
	struct event *ev_done;
	pthread_t threads[EB_WORKERS_MAX];
	int n, stop;
};

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

static void *
worker_main(void *arg)
{
	struct eb_workers *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct wjob *j;

		while (!w->stop && w->todo == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		j = pop(&w->todo, &w->todo_tail);
		pthread_mutex_unlock(&w->mu);
		j->work(j->arg);
		pthread_mutex_lock(&w->mu);
		push(&w->finished, &w->finished_tail, j);
		event_active(w->ev_done, EV_READ, 0);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
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
	struct eb_workers *w = calloc(1, sizeof(*w));

	if (w == NULL || n < 0 || n > EB_WORKERS_MAX) {
		free(w);
		eb_fail(err, EB_ERR_USAGE, "bad-workers",
		    "Set workers from 0 to 16.", "cannot start %d workers", n);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if ((w->ev_done = event_new(base, -1, 0, done_cb, w)) == NULL) {
		eb_workers_free(w);
		eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "cannot create the workers' event");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0) {
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
eb_workers_submit(struct eb_workers *w, eb_work_fn work, eb_work_fn done,
    void *arg)
{
	struct wjob *j;

	if (w->n == 0) {
		work(arg);
		done(arg);
		return EB_OK;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return EB_ERR_NOMEM;
	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->mu);
	push(&w->todo, &w->todo_tail, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return EB_OK;
}

void
eb_workers_free(struct eb_workers *w)
{
	struct wjob *j;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	while ((j = pop(&w->todo, &w->todo_tail)) != NULL)
		free(j);
	while ((j = pop(&w->finished, &w->finished_tail)) != NULL)
		free(j);
	if (w->ev_done != NULL)
		event_free(w->ev_done);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
