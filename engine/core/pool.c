/*
 * engine/core/pool.c
 *    The expert pool aggregate: see pool.h for commands, events, view.
 *
 * Owns: struct pool and its experts (pool_destroy frees all, NULL-safe).
 * Invariant: apply() is the only writer of the state; decide() reads it.
 * Experts keep registration order; parties are unique.
 */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/isotime.h"

#define POOL_MAX_EXPERTS 100000
#define POOL_MAX_APPOINTMENTS 10000

struct appointment {
	char tender[EB_ID_MAX];
	int64_t at;
};

struct expert {
	char party[EB_ID_MAX];
	char person[EB_ID_MAX];
	char name[EB_NAME_MAX];
	char org[EB_NAME_MAX];
	char specialty[EB_NAME_MAX];
	int active;
	struct appointment *appts;
	size_t nappts, cap;
};

struct pool {
	char id[EB_ID_MAX];
	struct expert *experts;
	size_t n, cap;
};

static void *
pool_create(const char *id)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (p != NULL && id != NULL)
		snprintf(p->id, sizeof(p->id), "%s", id);
	return p;
}

static void
pool_destroy(void *st)
{
	struct pool *p = st;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->experts[i].appts);
	free(p->experts);
	free(p);
}

static int
pool_handles(const char *name)
{
	return name != NULL && (strcmp(name, "register-expert") == 0 ||
	    strcmp(name, "suspend-expert") == 0 ||
	    strcmp(name, "reinstate-expert") == 0 ||
	    strcmp(name, "record-appointment") == 0);
}

static struct expert *
find(const struct pool *p, const char *party)
{
	size_t i;

	for (i = 0; party != NULL && i < p->n; i++)
		if (strcmp(p->experts[i].party, party) == 0)
			return &p->experts[i];
	return NULL;
}

/* Attribute 'name' present, non-empty and shorter than 'max'. */
static const char *
need_attr(const struct eb_doc *d, const char *name, size_t max,
    struct eb_error *err, int *rc)
{
	const char *v = eb_doc_attr(d, name);

	if (v == NULL || v[0] == '\0' || strlen(v) >= max) {
		*rc = eb_fail(err, EB_ERR_FORMAT, "bad-command",
		    "Give every required attribute, within its length limit.",
		    "<%s>: attribute %s is missing, empty or too long",
		    d->name, name);
		return NULL;
	}
	return v;
}

static int
need_role(const struct eb_cmd *cmd, enum eb_role role, struct eb_error *err)
{
	if (cmd->actor.role == role)
		return EB_OK;
	return eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
	    "Sign this command with the certificate of the office named.",
	    "%s may be done only by the %s, not by a %s", eb_cmd_name(cmd),
	    eb_role_name(role), eb_role_name(cmd->actor.role));
}

/* Is 'x' already recorded as appointed to 'tender'? */
static int
appointed_to(const struct expert *x, const char *tender)
{
	for (size_t i = 0; i < x->nappts; i++)
		if (strcmp(x->appts[i].tender, tender) == 0)
			return 1;
	return 0;
}

/* Does an <expert> of 'body' before 'upto' name 'party'? */
static int
named_before(const struct eb_doc *body, const struct eb_doc *upto,
    const char *party)
{
	const struct eb_doc *c;

	for (c = body->first; c != NULL && c != upto; c = c->next) {
		const char *p = eb_doc_attr(c, "party");

		if (strcmp(c->name, "expert") == 0 && p != NULL &&
		    strcmp(p, party) == 0)
			return 1;
	}
	return 0;
}

static int
pool_decide(const void *st, const struct eb_cmd *cmd, struct eb_doc **events,
    struct eb_error *err)
{
	const struct pool *p = st;
	const struct eb_doc *b = cmd->body, *c;
	const char *name = eb_cmd_name(cmd), *party;
	struct eb_doc *ev = NULL, *e;
	const struct expert *x;
	char iso[EB_ISOTIME_LEN];
	int rc = EB_OK;

	*events = NULL;
	if ((rc = eb_cmd_check_rules(cmd, err)) != EB_OK)
		return rc;
	eb_isotime_format(cmd->time, iso);
	ev = eb_doc_new("events");
	if (strcmp(name, "register-expert") == 0) {
		static const char *const keys[] = {
			"party", "person", "name", "org", "specialty"
		};
		const char *v[5];
		size_t i;

		if ((rc = need_role(cmd, EB_ROLE_REGISTRAR, err)) != EB_OK)
			goto out;
		for (i = 0; i < 5; i++)
			if ((v[i] = need_attr(b, keys[i], i < 2 ? EB_ID_MAX :
			    EB_NAME_MAX, err, &rc)) == NULL)
				goto out;
		if (find(p, v[0]) != NULL) {
			rc = eb_fail(err, EB_ERR_CONFLICT, "expert-exists",
			    "Use a new party id, or reinstate the expert.",
			    "expert %s is already registered", v[0]);
			goto out;
		}
		if (p->n >= POOL_MAX_EXPERTS) {
			rc = eb_fail(err, EB_ERR_LIMIT, "pool-full", NULL,
			    "the pool holds its maximum of %d experts",
			    POOL_MAX_EXPERTS);
			goto out;
		}
		e = eb_doc_add(ev, "expert-registered");
		for (i = 0; i < 5; i++)
			eb_doc_set_attr(e, keys[i], v[i]);
		eb_doc_set_attr(e, "at", iso);
	} else if (strcmp(name, "suspend-expert") == 0 ||
	    strcmp(name, "reinstate-expert") == 0) {
		int suspend = name[0] == 's';

		if ((rc = need_role(cmd, EB_ROLE_REGISTRAR, err)) != EB_OK)
			goto out;
		if ((party = need_attr(b, "party", EB_ID_MAX, err, &rc)) ==
		    NULL)
			goto out;
		if ((x = find(p, party)) == NULL) {
			rc = eb_fail(err, EB_ERR_NOTFOUND, "no-such-expert",
			    "Name a registered expert.",
			    "expert %s is not in the pool", party);
			goto out;
		}
		if (suspend && !x->active) {
			rc = eb_fail(err, EB_ERR_STATE, "expert-not-active",
			    "The expert is already suspended.",
			    "expert %s is suspended already", party);
			goto out;
		}
		if (!suspend && x->active) {
			rc = eb_fail(err, EB_ERR_STATE, "expert-not-suspended",
			    "Only a suspended expert can be reinstated.",
			    "expert %s is active", party);
			goto out;
		}
		e = eb_doc_add(ev, suspend ? "expert-suspended" :
		    "expert-reinstated");
		eb_doc_set_attr(e, "party", party);
		if (suspend && eb_doc_attr(b, "reason") != NULL)
			eb_doc_set_attr(e, "reason", eb_doc_attr(b, "reason"));
		eb_doc_set_attr(e, "at", iso);
	} else if (strcmp(name, "record-appointment") == 0) {
		const char *tender;

		if ((rc = need_role(cmd, EB_ROLE_SYSTEM, err)) != EB_OK)
			goto out;
		if ((tender = need_attr(b, "tender", EB_ID_MAX, err, &rc)) ==
		    NULL)
			goto out;
		if (eb_doc_child(b, "expert") == NULL) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-command",
			    "List the appointed experts as <expert party=>.",
			    "record-appointment names no expert");
			goto out;
		}
		eb_doc_foreach(c, b, "expert") {
			if ((party = need_attr(c, "party", EB_ID_MAX, err,
			    &rc)) == NULL)
				goto out;
			if ((x = find(p, party)) == NULL) {
				rc = eb_fail(err, EB_ERR_NOTFOUND,
				    "no-such-expert", "Name registered experts.",
				    "expert %s is not in the pool", party);
				goto out;
			}
			if (x->nappts >= POOL_MAX_APPOINTMENTS) {
				rc = eb_fail(err, EB_ERR_LIMIT,
				    "too-many-appointments", NULL,
				    "expert %s has too many appointments", party);
				goto out;
			}
			/*
			 * Idempotent per (tender, expert): an appointment
			 * already in the log (another ebidd, a restart) or
			 * named twice is recorded once.
			 */
			if (appointed_to(x, tender) || named_before(b, c, party))
				continue;
			e = eb_doc_add(ev, "expert-appointed");
			eb_doc_set_attr(e, "party", party);
			eb_doc_set_attr(e, "tender", tender);
			eb_doc_set_attr(e, "at", iso);
		}
		if (ev->first == NULL) {
			rc = eb_fail(err, EB_ERR_CONFLICT,
			    "appointments-already-recorded",
			    "Nothing to do: the pool has these appointments.",
			    "every expert named is already recorded as "
			    "appointed to tender %s", tender);
			goto out;
		}
	} else {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "Send a pool command: register-expert, suspend-expert, "
		    "reinstate-expert or record-appointment.",
		    "the pool does not handle <%s>", name);
		goto out;
	}
	*events = ev;
	ev = NULL;
out:
	eb_doc_free(ev);
	return rc;
}

static int
event_time(const struct eb_doc *e, int64_t *at, struct eb_error *err)
{
	const char *t = eb_doc_attr(e, "at");

	if (t == NULL || eb_isotime_parse(t, at) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "pool event <%s> has no valid 'at'", e->name);
	return EB_OK;
}

static void
copy_field(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s != NULL ? s : "");
}

static int
pool_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct pool *p = st;
	const struct eb_doc *e;
	struct expert *x;
	int64_t at;
	int rc;

	eb_doc_foreach(e, events, NULL) {
		if ((rc = event_time(e, &at, err)) != EB_OK)
			return rc;
		if (strcmp(e->name, "expert-registered") == 0) {
			if (find(p, eb_doc_attr(e, "party")) != NULL)
				return eb_fail(err, EB_ERR_CONFLICT,
				    "expert-exists", NULL, "duplicate expert %s",
				    eb_doc_attr(e, "party"));
			if (p->n == p->cap) {
				size_t nc = p->cap ? p->cap * 2 : 16;
				struct expert *ne = realloc(p->experts,
				    nc * sizeof(*ne));

				if (ne == NULL)
					return EB_ERR_NOMEM;
				p->experts = ne;
				p->cap = nc;
			}
			x = &p->experts[p->n++];
			memset(x, 0, sizeof(*x));
			copy_field(x->party, sizeof(x->party),
			    eb_doc_attr(e, "party"));
			copy_field(x->person, sizeof(x->person),
			    eb_doc_attr(e, "person"));
			copy_field(x->name, sizeof(x->name),
			    eb_doc_attr(e, "name"));
			copy_field(x->org, sizeof(x->org), eb_doc_attr(e, "org"));
			copy_field(x->specialty, sizeof(x->specialty),
			    eb_doc_attr(e, "specialty"));
			x->active = 1;
			continue;
		}
		if ((x = find(p, eb_doc_attr(e, "party"))) == NULL)
			return eb_fail(err, EB_ERR_NOTFOUND, "no-such-expert",
			    NULL, "pool event <%s> names an unknown expert",
			    e->name);
		if (strcmp(e->name, "expert-suspended") == 0)
			x->active = 0;
		else if (strcmp(e->name, "expert-reinstated") == 0)
			x->active = 1;
		else if (strcmp(e->name, "expert-appointed") == 0) {
			if (x->nappts == x->cap) {
				size_t nc = x->cap ? x->cap * 2 : 4;
				struct appointment *na = realloc(x->appts,
				    nc * sizeof(*na));

				if (na == NULL)
					return EB_ERR_NOMEM;
				x->appts = na;
				x->cap = nc;
			}
			copy_field(x->appts[x->nappts].tender,
			    sizeof(x->appts[0].tender),
			    eb_doc_attr(e, "tender"));
			x->appts[x->nappts].at = at;
			x->nappts++;
		} else
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "the pool does not know event <%s>", e->name);
	}
	return EB_OK;
}

static struct eb_doc *
pool_view(const void *st, const struct eb_actor *viewer)
{
	const struct pool *p = st;
	struct eb_doc *v = eb_doc_new("pool"), *e, *a;
	char iso[EB_ISOTIME_LEN];
	size_t i, j;
	int full;

	eb_doc_set_attr(v, "id", p->id);
	eb_doc_set_attr_i64(v, "experts", (int64_t)p->n);
	full = viewer != NULL && (viewer->role == EB_ROLE_REGISTRAR ||
	    viewer->role == EB_ROLE_SUPERVISOR ||
	    viewer->role == EB_ROLE_VERIFIER ||
	    viewer->role == EB_ROLE_AUDITOR ||
	    viewer->role == EB_ROLE_SYSTEM);
	if (!full)
		return v;
	for (i = 0; i < p->n; i++) {
		const struct expert *x = &p->experts[i];

		e = eb_doc_add(v, "expert");
		eb_doc_set_attr(e, "party", x->party);
		eb_doc_set_attr(e, "person", x->person);
		eb_doc_set_attr(e, "name", x->name);
		eb_doc_set_attr(e, "org", x->org);
		eb_doc_set_attr(e, "specialty", x->specialty);
		eb_doc_set_attr(e, "status", x->active ? "active" :
		    "suspended");
		for (j = 0; j < x->nappts; j++) {
			a = eb_doc_add(e, "appointment");
			eb_doc_set_attr(a, "tender", x->appts[j].tender);
			eb_isotime_format(x->appts[j].at, iso);
			eb_doc_set_attr(a, "at", iso);
		}
	}
	return v;
}

static const char *
pool_state_name(const void *st)
{
	(void)st;
	return "open";
}

static int
pool_next_timer(const void *st, int64_t *at, const char **name)
{
	(void)st;
	(void)at;
	(void)name;
	return 0;
}

const struct eb_flow_ops eb_pool_flow = {
	.kind = "pool",
	.handles = pool_handles,
	.create = pool_create,
	.destroy = pool_destroy,
	.decide = pool_decide,
	.apply = pool_apply,
	.view = pool_view,
	.state_name = pool_state_name,
	.next_timer = pool_next_timer,
};
