/*
 * engine/core/subject.c
 *    The trading subject aggregate and the admission check: see subject.h.
 *
 * Owns: struct subject, whose one record is an eb_doc tree (the view as
 * the system sees it, without seq); subject_destroy frees it (NULL-safe).
 * Invariant: apply() is the only writer of the record; decide() reads it.
 */
#include "subject.h"
#include "engine/core/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/isotime.h"
#include "protocol/mem.h"

#define SUBJECT_MAX_ITEMS 1000     /* qualifications, representatives */
#define SUBJECT_MAX_FINDINGS 10000

struct subject {
	char id[EB_ID_MAX];
	int64_t seq;                   /* entries applied */
	struct eb_doc *rec;            /* <subject ...>, NULL before register */
};

static const char *const kinds[] = {
	"bidder", "tenderer", "agency", "auction-firm", "transferor", NULL
};

/* -- the unified social credit code (GB 32100-2015) -------------------- */

/* The 31 characters of the code, in the order of their values 0..30. */
static const char code_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int
eb_subject_code_valid(const char *s)
{
	static const int w[17] = {
		1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
	};
	int sum = 0, c18, i;
	const char *p;

	if (s == NULL || strlen(s) != 18)
		return 0;
	for (i = 0; i < 18; i++) {
		if (s[i] == '\0' || (p = strchr(code_chars, s[i])) == NULL)
			return 0;
		if (i < 17)
			sum += (int)(p - code_chars) * w[i];
	}
	c18 = 31 - sum % 31;
	if (c18 == 31)
		c18 = 0;
	return code_chars[c18] == s[17];
}

/* -- helpers ------------------------------------------------------------ */

static void *
subject_create(const char *id)
{
	struct subject *s = eb_calloc(1, sizeof(*s));

	if (id != NULL)
		snprintf(s->id, sizeof(s->id), "%s", id);
	return s;
}

static void
subject_destroy(void *st)
{
	struct subject *s = st;

	if (s == NULL)
		return;
	eb_doc_free(s->rec);
	free(s);
}

static int
subject_handles(const char *name)
{
	static const char *const names[] = {
		"register-subject", "amend-qualifications",
		"authorise-representative", "revoke-representative",
		"suspend-subject", "reinstate-subject", "record-finding",
		"object-to-finding", "answer-finding-objection", NULL
	};

	for (size_t i = 0; name != NULL && names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static int
in_list(const char *v, const char *const *list)
{
	for (size_t i = 0; v != NULL && list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

static int
bad(struct eb_error *err, const char *cmd, const char *what)
{
	return eb_fail(err, EB_ERR_FORMAT, "bad-command",
	    "Give every required attribute, within its limits "
	    "(protocol/xsd/subject.xsd).", "<%s>: %s", cmd, what);
}

static int
time_attr(const struct eb_doc *d, const char *name, int64_t *at)
{
	const char *v = eb_doc_attr(d, name);

	return v != NULL && eb_isotime_parse(v, at) == 0;
}

static int
nonblank(const char *s)
{
	return s != NULL && s[strspn(s, " \t\r\n")] != '\0';
}

/* A <qualification kind grade from to/> checked, cloned into 'to'. */
static int
copy_qualification(const struct eb_doc *q, struct eb_doc *to,
    const char *cmd, struct eb_error *err)
{
	int64_t g, from, until;
	struct eb_doc *x;

	if (!nonblank(eb_doc_attr(q, "kind")) ||
	    strlen(eb_doc_attr(q, "kind")) >= EB_NAME_MAX ||
	    eb_doc_attr_i64(q, "grade", &g) != EB_OK || g < 1 || g > 9 ||
	    !time_attr(q, "from", &from) || !time_attr(q, "to", &until))
		return bad(err, cmd, "a qualification needs kind, grade 1..9, "
		    "from and to");
	if (until < from)
		return eb_fail(err, EB_ERR_RULE, "period-invalid",
		    "A period ends at or after its start.",
		    "<%s>: qualification %s ends before it starts", cmd,
		    eb_doc_attr(q, "kind"));
	x = eb_doc_add(to, "qualification");
	eb_doc_set_attr(x, "kind", eb_doc_attr(q, "kind"));
	eb_doc_set_attr_i64(x, "grade", g);
	eb_doc_set_attr(x, "from", eb_doc_attr(q, "from"));
	eb_doc_set_attr(x, "to", eb_doc_attr(q, "to"));
	return EB_OK;
}

static const char *const scopes[] = { "tender", "sale", "all", NULL };

static struct eb_doc *
find_rep(const struct eb_doc *rec, const char *party)
{
	struct eb_doc *r;

	if (rec == NULL || party == NULL)
		return NULL;
	eb_doc_foreach(r, rec, "representative")
		if (strcmp(eb_doc_attr(r, "party"), party) == 0 &&
		    strcmp(eb_doc_attr(r, "status"), "authorised") == 0)
			return r;
	return NULL;
}

/* A <representative person party scope from to/> checked, into 'to'. */
static int
copy_representative(const struct eb_doc *r, const struct eb_doc *rec,
    struct eb_doc *to, const char *elname, const char *cmd,
    struct eb_error *err)
{
	static const char *const keys[] = { "person", "party", "scope",
	    "from", "to" };
	int64_t from, until;
	struct eb_doc *x, *y;
	size_t i;

	for (i = 0; i < 3; i++)
		if (!nonblank(eb_doc_attr(r, keys[i])) ||
		    strlen(eb_doc_attr(r, keys[i])) >= EB_ID_MAX)
			return bad(err, cmd, "a representative needs person, "
			    "party, scope, from and to");
	if (!in_list(eb_doc_attr(r, "scope"), scopes))
		return bad(err, cmd, "scope is tender, sale or all");
	if (!time_attr(r, "from", &from) || !time_attr(r, "to", &until))
		return bad(err, cmd, "a representative needs from and to");
	if (until < from)
		return eb_fail(err, EB_ERR_RULE, "period-invalid",
		    "A period ends at or after its start.",
		    "<%s>: the authorisation of %s ends before it starts",
		    cmd, eb_doc_attr(r, "party"));
	if (find_rep(rec, eb_doc_attr(r, "party")) != NULL)
		return eb_fail(err, EB_ERR_CONFLICT, "representative-exists",
		    "Revoke the current authorisation first.",
		    "%s is already an authorised representative",
		    eb_doc_attr(r, "party"));
	eb_doc_foreach(y, to, "representative")
		if (strcmp(eb_doc_attr(y, "party"),
		    eb_doc_attr(r, "party")) == 0)
			return eb_fail(err, EB_ERR_CONFLICT,
			    "representative-exists", "Name each party once.",
			    "%s is named twice", eb_doc_attr(r, "party"));
	x = eb_doc_add(to, elname);
	for (i = 0; i < 5; i++)
		eb_doc_set_attr(x, keys[i], eb_doc_attr(r, keys[i]));
	return EB_OK;
}

static struct eb_doc *
find_finding(const struct eb_doc *rec, const struct eb_doc *b)
{
	struct eb_doc *f;
	const char *no = eb_doc_attr(b, "finding");

	if (no == NULL)
		return NULL;
	eb_doc_foreach(f, rec, "finding")
		if (strcmp(eb_doc_attr(f, "no"), no) == 0)
			return f;
	return NULL;
}

static int
text_child(const struct eb_doc *b, const char *cmd, struct eb_doc *e,
    int required, struct eb_error *err)
{
	const char *t = eb_doc_child_text(b, "text");

	if (!nonblank(t)) {
		if (required)
			return bad(err, cmd, "give the <text>");
		return EB_OK;
	}
	eb_doc_add_text(e, "text", t);
	return EB_OK;
}

/* -- decide ------------------------------------------------------------- */

static int
d_register(const struct subject *s, const struct eb_cmd *c,
    struct eb_doc *e, struct eb_error *err)
{
	const struct eb_doc *b = c->body, *x;
	const char *code = eb_doc_attr(b, "code");
	const char *name = eb_doc_attr(b, "name");
	int rc;

	if (s->rec != NULL)
		return eb_fail(err, EB_ERR_STATE, "subject-exists",
		    "Send register-subject without subject=: it creates one.",
		    "subject %s is already registered", s->id);
	if (!eb_subject_code_valid(code))
		return eb_fail(err, EB_ERR_RULE, "credit-code-invalid",
		    "Give the 18-character unified social credit code as "
		    "printed on the business licence (GB 32100-2015).",
		    "'%s' is not a unified social credit code with a valid "
		    "check digit", code != NULL ? code : "");
	if (!nonblank(name) || strlen(name) >= EB_NAME_MAX)
		return bad(err, c->body->name, "name is missing or too long");
	if (!in_list(eb_doc_attr(b, "kind"), kinds))
		return bad(err, c->body->name, "kind is bidder, tenderer, "
		    "agency, auction-firm or transferor");
	if (eb_doc_count(b, "qualification") > SUBJECT_MAX_ITEMS ||
	    eb_doc_count(b, "representative") > SUBJECT_MAX_ITEMS)
		return bad(err, c->body->name, "too many items");
	eb_doc_set_attr(e, "code", code);
	eb_doc_set_attr(e, "name", name);
	eb_doc_set_attr(e, "kind", eb_doc_attr(b, "kind"));
	eb_doc_foreach(x, b, "qualification")
		if ((rc = copy_qualification(x, e, c->body->name, err)) !=
		    EB_OK)
			return rc;
	eb_doc_foreach(x, b, "representative")
		if ((rc = copy_representative(x, NULL, e,
		    "representative", c->body->name, err)) != EB_OK)
			return rc;
	return EB_OK;
}

static int
d_finding(const struct subject *s, const struct eb_cmd *c, struct eb_doc *e,
    struct eb_error *err)
{
	static const char *const sanctions[] = { "warning", "exclusion", NULL };
	const struct eb_doc *b = c->body, *x;
	const char *cmd = b->name;
	int64_t from, until, seq;
	struct eb_doc *y;
	int rc;

	if (!nonblank(eb_doc_attr(b, "kind")) ||
	    strlen(eb_doc_attr(b, "kind")) >= EB_NAME_MAX)
		return bad(err, cmd, "give the finding's kind");
	if (!in_list(eb_doc_attr(b, "sanction"), sanctions))
		return bad(err, cmd, "sanction is warning or exclusion");
	if (!time_attr(b, "from", &from) || !time_attr(b, "to", &until))
		return bad(err, cmd, "give the period from= to=");
	if (until < from)
		return eb_fail(err, EB_ERR_RULE, "period-invalid",
		    "A period ends at or after its start.",
		    "<%s>: the sanction ends before it starts", cmd);
	if (eb_doc_child(b, "evidence") == NULL)
		return eb_fail(err, EB_ERR_RULE, "evidence-required",
		    "Name the log entries the finding rests on: "
		    "<evidence aggregate= seq= hash=/>.",
		    "a finding against %s needs its evidence", s->id);
	if (eb_doc_count(s->rec, "finding") >= SUBJECT_MAX_FINDINGS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-findings", NULL,
		    "subject %s has %d findings", s->id, SUBJECT_MAX_FINDINGS);
	eb_doc_set_attr_i64(e, "no",
	    (int64_t)eb_doc_count(s->rec, "finding") + 1);
	eb_doc_set_attr(e, "kind", eb_doc_attr(b, "kind"));
	eb_doc_set_attr(e, "sanction", eb_doc_attr(b, "sanction"));
	eb_doc_set_attr(e, "from", eb_doc_attr(b, "from"));
	eb_doc_set_attr(e, "to", eb_doc_attr(b, "to"));
	eb_doc_set_attr(e, "by", c->actor.party);
	eb_doc_foreach(x, b, "evidence") {
		const char *h = eb_doc_attr(x, "hash");

		if (!nonblank(eb_doc_attr(x, "aggregate")) ||
		    strlen(eb_doc_attr(x, "aggregate")) >= EB_ID_MAX ||
		    eb_doc_attr_i64(x, "seq", &seq) != EB_OK || seq < 1 ||
		    h == NULL || strlen(h) != 64 ||
		    strspn(h, "0123456789abcdef") != 64)
			return bad(err, cmd, "evidence names aggregate, seq "
			    "and the entry's hash (64 hex digits)");
		y = eb_doc_add(e, "evidence");
		eb_doc_set_attr(y, "aggregate", eb_doc_attr(x, "aggregate"));
		eb_doc_set_attr_i64(y, "seq", seq);
		eb_doc_set_attr(y, "hash", h);
	}
	if ((rc = text_child(b, cmd, e, 0, err)) != EB_OK)
		return rc;
	return EB_OK;
}

static int
d_objection(const struct subject *s, const struct eb_cmd *c, int answer,
    struct eb_doc *e, struct eb_error *err)
{
	static const char *const decisions[] = { "maintained", "lifted", NULL };
	const struct eb_doc *b = c->body;
	struct eb_doc *f = find_finding(s->rec, b), *o;
	int rc;

	if (f == NULL)
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-finding",
		    "Name the finding by its number (finding=N).",
		    "subject %s has no finding %s", s->id,
		    eb_doc_attr(b, "finding") ? eb_doc_attr(b, "finding") :
		    "(none named)");
	o = eb_doc_child(f, "objection");
	if (!answer) {
		if (find_rep(s->rec, c->actor.party) == NULL)
			return eb_fail(err, EB_ERR_DENIED,
			    "not-authorised-representative",
			    "Only an authorised representative of the subject "
			    "may object for it.", "%s does not represent %s",
			    c->actor.party, s->id);
		if (o != NULL)
			return eb_fail(err, EB_ERR_STATE, "objection-exists",
			    "A finding takes one objection.",
			    "finding %s already has an objection",
			    eb_doc_attr(f, "no"));
		eb_doc_set_attr(e, "party", c->actor.party);
	} else {
		if ((rc = eb_registers_need_role(c,
		    EB_ROLE_BIT(EB_ROLE_SUPERVISOR), err)) != EB_OK)
			return rc;
		if (o == NULL || eb_doc_child(o, "answer") != NULL)
			return eb_fail(err, EB_ERR_STATE, "no-open-objection",
			    "Answer an objection that was filed and not yet "
			    "answered.", "finding %s has %s",
			    eb_doc_attr(f, "no"), o == NULL ? "no objection" :
			    "its answer already");
		if (!in_list(eb_doc_attr(b, "decision"), decisions))
			return bad(err, b->name, "decision is maintained or "
			    "lifted");
		eb_doc_set_attr(e, "decision", eb_doc_attr(b, "decision"));
		eb_doc_set_attr(e, "by", c->actor.party);
	}
	eb_doc_set_attr(e, "finding", eb_doc_attr(f, "no"));
	return text_child(b, b->name, e, 1, err);
}

static int
subject_decide(const void *st, const struct eb_cmd *c, struct eb_doc **events,
    struct eb_error *err)
{
	const struct subject *s = st;
	const struct eb_doc *b = c->body, *x;
	const char *name = eb_cmd_name(c);
	struct eb_doc *ev, *e = NULL;
	char iso[EB_ISOTIME_LEN];
	int rc = EB_OK;

	*events = NULL;
	if ((rc = eb_cmd_check_rules(c, err)) != EB_OK)
		return rc;
	ev = eb_doc_new("events");
	eb_isotime_format(c->time, iso);
	if (strcmp(name, "register-subject") == 0) {
		if ((rc = eb_registers_need_role(c,
		    EB_ROLE_BIT(EB_ROLE_REGISTRAR), err)) != EB_OK)
			goto out;
		e = eb_doc_add(ev, "subject-registered");
		if ((rc = d_register(s, c, e, err)) != EB_OK)
			goto out;
		goto done;
	}
	if (!subject_handles(name)) {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "Send a subject command (docs/registries.md).",
		    "a subject does not handle <%s>", name);
		goto out;
	}
	if (s->rec == NULL) {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "no-such-subject",
		    "Register the subject first (register-subject).",
		    "subject %s is not registered", s->id);
		goto out;
	}
	if (strcmp(name, "object-to-finding") == 0) {
		e = eb_doc_add(ev, "objection-filed");
		rc = d_objection(s, c, 0, e, err);
	} else if (strcmp(name, "answer-finding-objection") == 0) {
		e = eb_doc_add(ev, "objection-answered");
		rc = d_objection(s, c, 1, e, err);
	} else if (strcmp(name, "record-finding") == 0) {
		if ((rc = eb_registers_need_role(c,
		    EB_ROLE_BIT(EB_ROLE_SUPERVISOR), err)) != EB_OK)
			goto out;
		e = eb_doc_add(ev, "finding-recorded");
		rc = d_finding(s, c, e, err);
	} else if ((rc = eb_registers_need_role(c,
	    EB_ROLE_BIT(EB_ROLE_REGISTRAR), err)) != EB_OK) {
		goto out;
	} else if (strcmp(name, "amend-qualifications") == 0) {
		if (eb_doc_count(b, "qualification") > SUBJECT_MAX_ITEMS) {
			rc = bad(err, name, "too many qualifications");
			goto out;
		}
		e = eb_doc_add(ev, "qualifications-amended");
		eb_doc_foreach(x, b, "qualification")
			if ((rc = copy_qualification(x, e, name, err)) != EB_OK)
				goto out;
	} else if (strcmp(name, "authorise-representative") == 0) {
		if (eb_doc_count(s->rec, "representative") >=
		    SUBJECT_MAX_ITEMS) {
			rc = eb_fail(err, EB_ERR_LIMIT,
			    "too-many-representatives", NULL,
			    "subject %s has %d representatives", s->id,
			    SUBJECT_MAX_ITEMS);
			goto out;
		}
		rc = copy_representative(b, s->rec, ev,
		    "representative-authorised", name, err);
		e = eb_doc_child(ev, "representative-authorised");
		if (rc != EB_OK)
			goto out;
	} else if (strcmp(name, "revoke-representative") == 0) {
		const char *party = eb_doc_attr(b, "party");

		if (find_rep(s->rec, party) == NULL) {
			rc = eb_fail(err, EB_ERR_NOTFOUND,
			    "no-such-representative",
			    "Name a currently authorised representative.",
			    "%s is not an authorised representative of %s",
			    party != NULL ? party : "(none named)", s->id);
			goto out;
		}
		e = eb_doc_add(ev, "representative-revoked");
		eb_doc_set_attr(e, "party", party);
		if (nonblank(eb_doc_attr(b, "reason")))
			eb_doc_set_attr(e, "reason", eb_doc_attr(b, "reason"));
	} else if (strcmp(name, "suspend-subject") == 0 ||
	    strcmp(name, "reinstate-subject") == 0) {
		int suspend = name[1] == 'u';
		int is_susp = strcmp(eb_doc_attr(s->rec, "status"),
		    "suspended") == 0;

		if (suspend == is_susp) {
			rc = eb_fail(err, EB_ERR_STATE, suspend ?
			    "subject-suspended" : "subject-not-suspended",
			    suspend ? "The subject is suspended already." :
			    "Only a suspended subject is reinstated.",
			    "subject %s is %s", s->id,
			    eb_doc_attr(s->rec, "status"));
			goto out;
		}
		e = eb_doc_add(ev, suspend ? "subject-suspended" :
		    "subject-reinstated");
		if (suspend) {
			if (!nonblank(eb_doc_attr(b, "reason"))) {
				rc = bad(err, name, "give the reason=");
				goto out;
			}
			eb_doc_set_attr(e, "reason", eb_doc_attr(b, "reason"));
		}
	}
	if (rc != EB_OK)
		goto out;
done:
	eb_doc_set_attr(e, "at", iso);
	*events = ev;
	ev = NULL;
out:
	eb_doc_free(ev);
	return rc;
}

/* -- apply -------------------------------------------------------------- */

static void
copy_attrs_except(struct eb_doc *to, const struct eb_doc *from,
    const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++)
		if (eb_doc_attr(from, keys[i]) != NULL)
			eb_doc_set_attr(to, keys[i], eb_doc_attr(from, keys[i]));
}

static void
add_children(struct eb_doc *to, const struct eb_doc *from, const char *name)
{
	const struct eb_doc *x;

	eb_doc_foreach(x, from, name)
		eb_doc_append(to, eb_doc_clone(x));
}

static int
apply_bad(struct eb_error *err, const struct subject *s, const char *ev)
{
	return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
	    "subject %s cannot apply <%s> in its state", s->id, ev);
}

static int
apply_one(struct subject *s, const struct eb_doc *e, struct eb_error *err)
{
	static const char *const rep_keys[] = { "person", "party", "scope",
	    "from", "to", NULL };
	static const char *const finding_keys[] = { "no", "kind", "sanction",
	    "from", "to", "by", "at", NULL };
	const char *at = eb_doc_attr(e, "at");
	struct eb_doc *x, *y, *n;

	if (at == NULL)
		return apply_bad(err, s, e->name);
	if (strcmp(e->name, "subject-registered") == 0) {
		if (s->rec != NULL)
			return apply_bad(err, s, e->name);
		s->rec = eb_doc_new("subject");
		eb_doc_set_attr(s->rec, "id", s->id);
		eb_doc_set_attr(s->rec, "code", eb_doc_attr(e, "code"));
		eb_doc_set_attr(s->rec, "name", eb_doc_attr(e, "name"));
		eb_doc_set_attr(s->rec, "kind", eb_doc_attr(e, "kind"));
		eb_doc_set_attr(s->rec, "status", "registered");
		eb_doc_set_attr(s->rec, "registered", at);
		add_children(s->rec, e, "qualification");
		eb_doc_foreach(x, e, "representative") {
			y = eb_doc_add(s->rec, "representative");
			copy_attrs_except(y, x, rep_keys);
			eb_doc_set_attr(y, "status", "authorised");
			eb_doc_set_attr(y, "since", at);
		}
		return EB_OK;
	}
	if (s->rec == NULL)
		return apply_bad(err, s, e->name);
	if (strcmp(e->name, "qualifications-amended") == 0) {
		while ((x = eb_doc_child(s->rec, "qualification")) != NULL) {
			eb_doc_detach(x);
			eb_doc_free(x);
		}
		add_children(s->rec, e, "qualification");
	} else if (strcmp(e->name, "representative-authorised") == 0) {
		y = eb_doc_add(s->rec, "representative");
		copy_attrs_except(y, e, rep_keys);
		eb_doc_set_attr(y, "status", "authorised");
		eb_doc_set_attr(y, "since", at);
	} else if (strcmp(e->name, "representative-revoked") == 0) {
		if ((y = find_rep(s->rec, eb_doc_attr(e, "party"))) == NULL)
			return apply_bad(err, s, e->name);
		eb_doc_set_attr(y, "status", "revoked");
		eb_doc_set_attr(y, "revoked", at);
	} else if (strcmp(e->name, "subject-suspended") == 0) {
		eb_doc_set_attr(s->rec, "status", "suspended");
		eb_doc_set_attr(s->rec, "reason", eb_doc_attr(e, "reason") ?
		    eb_doc_attr(e, "reason") : "");
	} else if (strcmp(e->name, "subject-reinstated") == 0) {
		eb_doc_set_attr(s->rec, "status", "registered");
		eb_doc_set_attr(s->rec, "reason", "");
	} else if (strcmp(e->name, "finding-recorded") == 0) {
		y = eb_doc_add(s->rec, "finding");
		copy_attrs_except(y, e, finding_keys);
		eb_doc_set_attr(y, "status", "in-force");
		add_children(y, e, "evidence");
		add_children(y, e, "text");
	} else if (strcmp(e->name, "objection-filed") == 0 ||
	    strcmp(e->name, "objection-answered") == 0) {
		int answer = e->name[10] == 'a';

		if ((y = find_finding(s->rec, e)) == NULL)
			return apply_bad(err, s, e->name);
		x = eb_doc_child(y, "objection");
		if (answer ? x == NULL : x != NULL)
			return apply_bad(err, s, e->name);
		if (!answer) {
			n = eb_doc_add(y, "objection");
			eb_doc_set_attr(n, "party", eb_doc_attr(e, "party"));
		} else {
			n = eb_doc_add(x, "answer");
			eb_doc_set_attr(n, "decision",
			    eb_doc_attr(e, "decision"));
			eb_doc_set_attr(n, "by", eb_doc_attr(e, "by"));
			if (strcmp(eb_doc_attr(e, "decision"), "lifted") == 0)
				eb_doc_set_attr(y, "status", "lifted");
		}
		eb_doc_set_attr(n, "at", at);
		add_children(n, e, "text");
	} else {
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "a subject does not know event <%s>", e->name);
	}
	return EB_OK;
}

static int
subject_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct subject *s = st;
	const struct eb_doc *e;
	int rc;

	eb_doc_foreach(e, events, NULL)
		if ((rc = apply_one(s, e, err)) != EB_OK)
			return rc;
	s->seq++;
	return EB_OK;
}

/* -- view --------------------------------------------------------------- */

static struct eb_doc *
subject_view(const void *st, const struct eb_actor *viewer)
{
	const struct subject *s = st;
	struct eb_doc *v, *r;

	if (s->rec == NULL) {
		v = eb_doc_new("subject");
		eb_doc_set_attr(v, "id", s->id);
		eb_doc_set_attr(v, "status", "new");
		return v;
	}
	v = eb_doc_clone(s->rec);
	if (!eb_registers_officer(viewer))
		eb_doc_foreach(r, v, "representative")
			if (viewer == NULL ||
			    strcmp(eb_doc_attr(r, "party"), viewer->party) != 0)
				eb_doc_set_attr(r, "person", "-");
	return v;
}

static const char *
subject_state_name(const void *st)
{
	const struct subject *s = st;

	if (s->rec == NULL)
		return "new";
	return strcmp(eb_doc_attr(s->rec, "status"), "suspended") == 0 ?
	    "suspended" : "registered";
}

const struct eb_flow_ops eb_subject_flow = {
	.kind = "subject",
	.handles = subject_handles,
	.create = subject_create,
	.destroy = subject_destroy,
	.decide = subject_decide,
	.apply = subject_apply,
	.view = subject_view,
	.state_name = subject_state_name,
	.next_timer = eb_registers_no_timer,
};

/* -- admission ---------------------------------------------------------- */

static int
in_period(const struct eb_doc *d, int64_t t)
{
	int64_t from, until;

	return time_attr(d, "from", &from) && time_attr(d, "to", &until) &&
	    from <= t && t <= until;
}

int
eb_subject_represents(const struct eb_doc *facts, const char *party,
    int64_t t)
{
	const struct eb_doc *x;

	if (facts == NULL || party == NULL || party[0] == '\0')
		return 0;
	eb_doc_foreach(x, facts, "representative")
		if (eb_doc_attr(x, "party") != NULL &&
		    strcmp(eb_doc_attr(x, "party"), party) == 0 &&
		    eb_doc_attr(x, "status") != NULL &&
		    strcmp(eb_doc_attr(x, "status"), "authorised") == 0 &&
		    in_period(x, t))
			return 1;
	return 0;
}

/* In good standing at 't': not suspended, no exclusion in force. */
static int
standing(const struct eb_doc *f, const char *sid, int64_t t,
    struct eb_error *err)
{
	const struct eb_doc *x;

	if (strcmp(eb_doc_attr(f, "status"), "suspended") == 0)
		return eb_fail(err, EB_ERR_DENIED, "subject-suspended",
		    "Ask the centre's registrar about the suspension.",
		    "subject %s is suspended", sid);
	eb_doc_foreach(x, f, "finding")
		if (strcmp(eb_doc_attr(x, "sanction"), "exclusion") == 0 &&
		    strcmp(eb_doc_attr(x, "status"), "in-force") == 0 &&
		    in_period(x, t))
			return eb_fail(err, EB_ERR_DENIED, "subject-excluded",
			    "The subject is excluded from trading for the "
			    "period of the finding (see its integrity record).",
			    "subject %s is excluded until %s (finding %s: %s)",
			    sid, eb_doc_attr(x, "to"), eb_doc_attr(x, "no"),
			    eb_doc_attr(x, "kind"));
	return EB_OK;
}

/* Are 'f' (a subject's facts) those of subject 'sid', at its head? */
static int
facts_of(const struct eb_doc *f, const char *sid)
{
	return f != NULL && strcmp(f->name, "subject") == 0 &&
	    eb_doc_attr(f, "id") != NULL &&
	    strcmp(eb_doc_attr(f, "id"), sid) == 0 &&
	    eb_doc_attr(f, "code") != NULL &&
	    eb_doc_attr(f, "head-seq") != NULL &&
	    eb_doc_attr(f, "head-hash") != NULL;
}

int
eb_subject_agency(const struct eb_cmd *c, const char *sid,
    struct eb_doc **out, struct eb_error *err)
{
	const struct eb_doc *f = c->facts, *x;
	struct eb_doc *a, *r;
	int rc;

	*out = NULL;
	if (!facts_of(f, sid))
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-subject",
		    "Name the agency by its registered subject id "
		    "(ebid subject show ID), or name none.",
		    "%s names agency %s, which is not a registered subject",
		    eb_cmd_name(c), sid);
	if (strcmp(eb_doc_attr(f, "kind") != NULL ? eb_doc_attr(f, "kind") :
	    "", "agency") != 0)
		return eb_fail(err, EB_ERR_RULE, "not-an-agency",
		    "Name a subject the registrar registered as an agency "
		    "(kind=\"agency\").",
		    "subject %s is registered as a %s, not an agency", sid,
		    eb_doc_attr(f, "kind") != NULL ? eb_doc_attr(f, "kind") :
		    "?");
	if ((rc = standing(f, sid, c->time, err)) != EB_OK)
		return rc;
	a = eb_doc_new("agency");
	eb_doc_set_attr(a, "subject", sid);
	eb_doc_set_attr(a, "name", eb_doc_attr(f, "name"));
	eb_doc_set_attr(a, "subject-seq", eb_doc_attr(f, "head-seq"));
	eb_doc_set_attr(a, "subject-hash", eb_doc_attr(f, "head-hash"));
	eb_doc_foreach(x, f, "representative")
		if (strcmp(eb_doc_attr(x, "status"), "authorised") == 0 &&
		    in_period(x, c->time)) {
			r = eb_doc_add(a, "representative");
			eb_doc_set_attr(r, "party", eb_doc_attr(x, "party"));
		}
	*out = a;
	return EB_OK;
}

int
eb_subject_admit(const struct eb_doc *reg, int64_t deadline,
    const char *scope, const char *bound, const struct eb_cmd *c,
    struct eb_doc *event, struct eb_error *err)
{
	const struct eb_doc *req = reg != NULL ?
	    eb_doc_path(reg, "rules/required-qualifications") : NULL;
	const char *sid = eb_doc_attr(c->body, "subject");
	const struct eb_doc *f = c->facts, *x, *q, *rep = NULL;
	char when[EB_ISOTIME_LEN];
	int64_t min, g;
	int rc;

	if (bound != NULL && (sid == NULL || strcmp(sid, bound) != 0))
		return eb_fail(err, EB_ERR_RULE, "subject-mismatch",
		    "Bid for the subject you signed up for.",
		    "%s signed up for subject %s, this %s names %s",
		    c->actor.party, bound, eb_cmd_name(c),
		    sid != NULL ? sid : "none");
	if (req == NULL && sid == NULL)
		return EB_OK;
	if (sid == NULL)
		return eb_fail(err, EB_ERR_DENIED, "subject-required",
		    "This procedure admits only authorised representatives "
		    "of registered trading subjects: name yours with "
		    "subject=ID.", "%s names no trading subject",
		    eb_cmd_name(c));
	if (!facts_of(f, sid))
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-subject",
		    "Name the registered subject you represent "
		    "(ebid subject show ID).",
		    "subject %s is not registered", sid);
	if ((rc = standing(f, sid, c->time, err)) != EB_OK)
		return rc;
	eb_doc_foreach(x, f, "representative")
		if (strcmp(eb_doc_attr(x, "party"), c->actor.party) == 0 &&
		    strcmp(eb_doc_attr(x, "status"), "authorised") == 0 &&
		    strcmp(eb_doc_attr(x, "person"), c->actor.person) == 0 &&
		    (strcmp(eb_doc_attr(x, "scope"), "all") == 0 ||
		    strcmp(eb_doc_attr(x, "scope"), scope) == 0) &&
		    in_period(x, c->time)) {
			rep = x;
			break;
		}
	if (rep == NULL)
		return eb_fail(err, EB_ERR_DENIED,
		    "not-authorised-representative",
		    "Act with the certificate of a representative the "
		    "registrar authorised for this subject, for this kind "
		    "of procedure and for this period.",
		    "%s (person %s) is not a currently authorised %s "
		    "representative of subject %s", c->actor.party,
		    c->actor.person, scope, sid);
	eb_isotime_format(deadline, when);
	eb_doc_foreach(q, req, "qualification") {
		const char *kind = eb_doc_attr(q, "kind");
		int held = 0, valid = 0;

		if (kind == NULL || eb_doc_attr_i64(q, "min-grade", &min) !=
		    EB_OK)
			continue;
		eb_doc_foreach(x, f, "qualification")
			if (strcmp(eb_doc_attr(x, "kind"), kind) == 0 &&
			    eb_doc_attr_i64(x, "grade", &g) == EB_OK &&
			    g <= min) {
				held = 1;
				if (in_period(x, deadline))
					valid = 1;
			}
		if (!held)
			return eb_fail(err, EB_ERR_RULE,
			    "qualification-missing",
			    "The tender requires this qualification at this "
			    "grade or better (grade 1 is the highest).",
			    "subject %s holds no %s qualification of grade "
			    "%lld or better", sid, kind, (long long)min);
		if (!valid)
			return eb_fail(err, EB_ERR_RULE,
			    "qualification-expired",
			    "Have the registrar record the renewed "
			    "qualification (amend-qualifications).",
			    "the %s qualification of subject %s is not valid "
			    "on the deadline %s", kind, sid, when);
	}
	eb_doc_set_attr(event, "subject", sid);
	eb_doc_set_attr(event, "subject-seq", eb_doc_attr(f, "head-seq"));
	eb_doc_set_attr(event, "subject-hash", eb_doc_attr(f, "head-hash"));
	return EB_OK;
}
