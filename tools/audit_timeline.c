/*
 * tools/audit_timeline.c
 *    The readable timeline of a log (ebid-audit replay): one line per
 *    entry with its time, actor, role, command and outcome, and under it
 *    what a person needs to follow the story: amounts (in yuan), bidding
 *    numbers, the bids as opened, the clearing verdict per bid with the
 *    rules an invalid bid broke, ranks, decisions and the reasons given
 *    for refusals, returns, rejections and objections; for the
 *    registries' events (subjects, representatives, qualifications,
 *    findings, objections, experts, ratings, monitor alerts) their own
 *    facts and their children (kind_facts, child_facts).
 *
 * It prints what the log records: ebid-audit runs eb_audit_verify()
 * first, so by default only a log that holds is ever printed; with
 * EB_TIMELINE_UNVERIFIED (--unverified) every line starts with a warning.
 *
 * Owns nothing beyond the call; see audit_log.h for the interface.
 */
#include "audit_log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "engine/core/cmd.h"
#include "engine/core/flows.h"
#include "protocol/cms.h"
#include "protocol/isotime.h"

#define UNVERIFIED_MARK "UNVERIFIED "

/* Attributes that hold money in fen (docs/xml.md): shown in yuan. */
static const char *const money_attrs[] = {
	"amount", "price", "fen", "total-price", "starting-price", "deposit",
	"increment", "submitted-total", "corrected-total", "ceiling-price",
	"benchmark", NULL
};

/* Attributes worth a person's eye, in the order they are shown. */
static const char *const shown_attrs[] = {
	"bidder", "number", "amount", "price", "total-price", "fen",
	"starting-price", "deposit", "leader", "winner", "winner-party",
	"outcome", "decision", "rank", "objection", "continue", "expert",
	"replaced-by", "custodian", "bids", "opened", "status", "next",
	"ends", "publicity-end", "listing-start", "listing-end", "value",
	NULL
};

/*
 * The registries' events (subject.h, pool.h, monitor.h): the facts of
 * each, in the order shown, beside the attributes above (which come
 * first when an event has them).  The tender's own events keep the
 * shared list alone.
 */
static const struct kind_facts {
	const char *event;
	const char *const attrs[10];
} kind_facts[] = {
	/* trading subjects */
	{ "subject-registered", { "code", "name", "kind", NULL } },
	{ "representative-authorised",
	  { "party", "person", "scope", "from", "to", NULL } },
	{ "representative-revoked", { "party", "reason", NULL } },
	{ "subject-suspended", { "reason", NULL } },
	{ "finding-recorded",
	  { "no", "kind", "sanction", "from", "to", "by", NULL } },
	{ "objection-filed", { "finding", "party", NULL } },
	/* (a tender's objection-answered has no finding: unchanged) */
	{ "objection-answered", { "finding", NULL } },
	/* the expert pool: experts, the assessment, ratings */
	{ "expert-registered",
	  { "party", "name", "org", "specialty", NULL } },
	{ "expert-suspended", { "party", "reason", NULL } },
	{ "expert-reinstated", { "party", NULL } },
	{ "expert-appointed", { "party", "tender", NULL } },
	{ "expert-rated",
	  { "party", "tender", "rater", "score", "deviations", "unexplained",
	    "tender-seq", NULL } },
	{ "agency-rated",
	  { "agency", "name", "tender", "rater", "rater-role", "score",
	    "tender-seq", NULL } },
	/* process monitoring */
	{ "monitor-opened",
	  { "min-bidding-days", "notice-days", "subnet-bits",
	    "award-margin-days", NULL } },
	{ "tender-checked", { "tender", "tender-seq", "alerts", NULL } },
	{ "observed",
	  { "tender", "party", "role", "address", "subject",
	    "authorised-until", NULL } },
	{ "alert-raised", { "no", "kind", "tender", "detail", NULL } },
	{ "alert-closed", { "no", "by", NULL } },
	{ NULL, { NULL } }
};

/*
 * The children of a registries' event worth a line each: the element,
 * the label printed, and its attributes in order.
 */
static const struct child_facts {
	const char *element, *label;
	const char *const attrs[6];
} child_facts[] = {
	{ "qualification", "qualification", { "kind", "grade", "from", "to",
	  NULL } },
	{ "representative", "representative", { "party", "scope", "from",
	  "to", NULL } },
	{ "evidence", "evidence", { "aggregate", "seq", "hash", NULL } },
	{ "score", "score", { "criterion", "value", NULL } },
	{ "criterion", "criterion", { "name", "max", NULL } },
	{ "agency-criterion", "agency criterion", { "name", "max", NULL } },
	{ "draw-rule", "draw rule", { "period-days", "min-percent",
	  "max-unexplained", NULL } },
	{ NULL, NULL, { NULL } }
};

/* Child elements whose text is a person's words. */
static const char *const said_children[] = {
	"reason", "text", "justification", "dissent", "record", "message",
	NULL
};

/* One printed line, built piece by piece (cut at its size). */
struct ln {
	char s[1024];
	size_t n;
};

static void add(struct ln *l, const char *fmt, ...) EB_PRINTF(2, 3);

static void
add(struct ln *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k < sizeof(l->s) - l->n ? (size_t)k :
		    sizeof(l->s) - l->n - 1;
}

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* "570368000" fen -> "5,703,680.00"; other text is copied as is. */
static void
format_money(const char *fen, char *out, size_t cap)
{
	int64_t v;
	uint64_t u, yuan;
	char digits[32], grouped[48];
	size_t n, i, j = 0;

	if (eb_parse_i64(fen, &v) != EB_OK) {
		snprintf(out, cap, "%s", fen);
		return;
	}
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	yuan = u / 100;
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)yuan);
	n = strlen(digits);
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, cap, "%s%s.%02u", v < 0 ? "-" : "", grouped,
	    (unsigned)(u % 100));
}

/* One attribute as "name=value" (money in yuan) appended to 'b'. */
static void
put_attr(struct ln *b, const char *name, const char *value)
{
	char money[64];

	if (in_list(money_attrs, name)) {
		format_money(value, money, sizeof(money));
		add(b, " %s=%s", name, money);
	} else {
		add(b, " %s=%s", name, value);
	}
}

/* A person's words, on one line, cut at 120 bytes (on a UTF-8 boundary). */
static void
put_said(struct ln *b, const char *what, const char *text)
{
	size_t n = strlen(text), cut = n > 120 ? 120 : n;

	while (cut < n && cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut--;
	add(b, " %s: \"", what);
	for (size_t i = 0; i < cut; i++)
		add(b, "%c", text[i] == '\n' || text[i] == '\r' ||
		    text[i] == '\t' ? ' ' : text[i]);
	add(b, "%s", cut < n ? "...\"" : "\"");
}

static void
line(FILE *out, int unverified, const char *indent, const struct ln *b)
{
	fprintf(out, "%s%s%.*s\n", unverified ? UNVERIFIED_MARK : "", indent,
	    (int)b->n, b->s);
}

/* The rules an invalid bid broke, from the clearing report's findings
 * (<finding rule severity item><bidder party/>...</finding>). */
static void
put_invalid_rules(struct ln *b, const struct eb_doc *report,
    const char *bidder)
{
	const struct eb_doc *f, *who;
	int n = 0;

	eb_doc_foreach(f, report, "finding") {
		const char *sev = eb_doc_attr(f, "severity");
		const char *rule = eb_doc_attr(f, "rule");
		const char *item = eb_doc_attr(f, "item");
		int named = 0;

		if (sev == NULL || strcmp(sev, "invalid") != 0 || rule == NULL)
			continue;
		eb_doc_foreach(who, f, "bidder") {
			const char *p = eb_doc_attr(who, "party");

			if (p != NULL && strcmp(p, bidder) == 0)
				named = 1;
		}
		if (!named)
			continue;
		add(b, "%s%s%s%s", n++ == 0 ? " because: " :
		    "; ", rule, item != NULL ? " " : "", item != NULL ? item :
		    "");
	}
}

/* The details of one event, each on its own line under the entry. */
static void
event_details(FILE *out, int unverified, const struct eb_doc *ev)
{
	struct ln b = { .n = 0 };
	const struct kind_facts *kf;
	const struct eb_doc *c;
	const char *const *a;
	const char *v;

	add(&b, "%s:", ev->name);
	for (a = shown_attrs; *a != NULL; a++)
		if ((v = eb_doc_attr(ev, *a)) != NULL)
			put_attr(&b, *a, v);
	for (kf = kind_facts; kf->event != NULL; kf++)
		if (strcmp(kf->event, ev->name) == 0)
			break;
	if (kf->event != NULL)
		for (a = kf->attrs; *a != NULL; a++)
			if (!in_list(shown_attrs, *a) &&
			    (v = eb_doc_attr(ev, *a)) != NULL)
				put_attr(&b, *a, v);
	for (a = said_children; *a != NULL; a++)
		if ((v = eb_doc_child_text(ev, *a)) != NULL && v[0] != '\0')
			put_said(&b, *a, v);
	if (b.n > strlen(ev->name) + 1)         /* something to say */
		line(out, unverified, "       ", &b);

	/* a registries' event: its qualifications, representatives,
	 * evidence, scores and criteria, one line each */
	if (kf->event != NULL || strcmp(ev->name, "assessment-configured") ==
	    0 || strcmp(ev->name, "qualifications-amended") == 0)
		for (c = ev->first; c != NULL; c = c->next) {
			const struct child_facts *cf;

			for (cf = child_facts; cf->element != NULL; cf++)
				if (strcmp(cf->element, c->name) == 0)
					break;
			if (cf->element == NULL)
				continue;
			b.n = 0;
			add(&b, "%s:", cf->label);
			for (a = cf->attrs; *a != NULL; a++)
				if ((v = eb_doc_attr(c, *a)) != NULL)
					put_attr(&b, *a, v);
			line(out, unverified, "         ", &b);
		}

	/* the bids as opened: who offered what, or why a bid was not opened */
	eb_doc_foreach(c, ev, "bid-result") {
		b.n = 0;
		add(&b, "bid of %s: %s", eb_doc_attr(c, "bidder") ?
		    eb_doc_attr(c, "bidder") : "?", eb_doc_attr(c, "status") ?
		    eb_doc_attr(c, "status") : "?");
		if ((v = eb_doc_attr(c, "total-price")) != NULL)
			put_attr(&b, "total-price", v);
		if ((v = eb_doc_attr(c, "reason")) != NULL)
			add(&b, " reason=%s", v);
		if ((v = eb_doc_child_text(c, "reason")) != NULL)
			put_said(&b, "reason", v);
		line(out, unverified, "         ", &b);
	}
	/* the clearing: each bid's verdict, and what made a bid invalid */
	if (strcmp(ev->name, "clearing-report") == 0 &&
	    (c = eb_doc_child(ev, "clearing-report")) != NULL) {
		const struct eb_doc *s;

		eb_doc_foreach(s, c, "bid-summary") {
			const char *who = eb_doc_attr(s, "bidder");

			b.n = 0;
			v = eb_doc_attr(s, "status");
			add(&b, "bid of %s: %s", who != NULL ? who : "?",
			    v != NULL ? v : "?");
			if ((v = eb_doc_attr(s, "submitted-total")) != NULL)
				put_attr(&b, "submitted-total", v);
			if ((v = eb_doc_attr(s, "corrected-total")) != NULL)
				put_attr(&b, "corrected-total", v);
			if ((v = eb_doc_attr(s, "findings")) != NULL)
				add(&b, " findings=%s", v);
			if (who != NULL && (v = eb_doc_attr(s, "status")) !=
			    NULL && strcmp(v, "invalid") == 0)
				put_invalid_rules(&b, c, who);
			line(out, unverified, "         ", &b);
		}
	}
	/* the ranking */
	eb_doc_foreach(c, ev, "candidate") {
		b.n = 0;
		add(&b, "candidate %s: rank %s", eb_doc_attr(c, "bidder") ?
		    eb_doc_attr(c, "bidder") : "?", eb_doc_attr(c, "rank") ?
		    eb_doc_attr(c, "rank") : "?");
		line(out, unverified, "         ", &b);
	}
}

/* The command's name, read from its signed content; "?" when unreadable. */
static void
command_name(const struct eb_audit_entry *e, const struct eb_trust *t,
    const struct eb_schema *schema, char *name, size_t cap)
{
	uint8_t *content = NULL;
	size_t clen = 0;
	struct eb_doc *body = NULL;
	struct eb_error err;
	X509 *signer = NULL;

	snprintf(name, cap, "?");
	eb_error_clear(&err);
	if (eb_cms_verify(t, e->command, e->command_len, e->time, &content,
	    &clen, &signer, &err) == EB_OK &&
	    eb_xml_parse(schema, NULL, content, clen, &body, &err) == EB_OK)
		snprintf(name, cap, "%s", body->name);
	X509_free(signer);
	eb_doc_free(body);
	free(content);
}

int
eb_audit_timeline(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, unsigned flags, FILE *out,
    struct eb_error *err)
{
	const struct eb_flow_entry *fe = eb_flow_for_kind(l->kind);
	const struct eb_flow_ops *ops = fe != NULL ? fe->ops : NULL;
	int unv = (flags & EB_TIMELINE_UNVERIFIED) != 0, broken = 0;
	struct eb_actor auditor;
	struct eb_doc *view = NULL;
	struct eb_buf b = EB_BUF_INIT;
	char when[EB_ISOTIME_LEN], action[64];
	const char *mark = unv ? UNVERIFIED_MARK : "";
	void *st = NULL;
	size_t i;

	if (ops == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "unknown-kind", NULL,
		    "the log is of an unknown kind '%s'", l->kind);
	st = ops->create(l->aggregate);
	fprintf(out, "%s%s %s: %zu entries%s\n%s\n", mark, l->kind,
	    l->aggregate, l->n, unv ? " (NOT verified: read with care)" :
	    " (verified)", mark);
	fprintf(out, "%s%-4s %-24s %-14s %-11s %-26s %s\n", mark, "seq", "time",
	    "actor", "role", "action", "outcome");
	for (i = 0; i < l->n; i++) {
		const struct eb_audit_entry *e = &l->entries[i];
		const struct eb_doc *ev;
		struct eb_error aerr;

		eb_isotime_format(e->time, when);
		command_name(e, t, schema, action, sizeof(action));
		eb_error_clear(&aerr);
		/* the recorded events (verified first, unless --unverified) */
		if (!broken && ops->apply(st, e->events, &aerr) != EB_OK)
			broken = 1;
		fprintf(out, "%s%-4lld %-24s %-14s %-11s %-26s", mark,
		    (long long)e->seq, when, e->actor.party,
		    eb_role_name(e->actor.role), action);
		for (ev = e->events->first; ev != NULL; ev = ev->next)
			fprintf(out, "%s%s", ev == e->events->first ? " " : ", ",
			    ev->name);
		fprintf(out, " -> %s\n", broken ? "(cannot follow)" :
		    ops->state_name(st));
		for (ev = e->events->first; ev != NULL; ev = ev->next)
			event_details(out, unv, ev);
	}
	memset(&auditor, 0, sizeof(auditor));
	auditor.role = EB_ROLE_AUDITOR;
	if (!broken)
		view = ops->view(st, &auditor);
	if (view != NULL && eb_xml_write(view, 1, &b) == EB_OK) {
		const char *p = eb_buf_str(&b), *nl;

		fprintf(out, "%s\n%sfinal state: %s\n", mark, mark,
		    ops->state_name(st));
		for (; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p);
			fprintf(out, "%s%.*s\n", mark, (int)(nl - p), p);
			if (*nl == '\0')
				break;
		}
	}
	eb_buf_free(&b);
	eb_doc_free(view);
	ops->destroy(st);
	return EB_OK;
}
