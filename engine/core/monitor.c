/*
 * engine/core/monitor.c
 *    The process monitor aggregate: see monitor.h for commands, events,
 *    view and rules.
 *
 * Owns: struct monitor and its <rules>, <observations> and <alerts>
 * trees (monitor_destroy frees all, NULL-safe).  Invariant: apply() is
 * the only writer of the state; decide() reads it.  Alerts are numbered
 * from 1 in raising order.
 */
#include "monitor.h"
#include "engine/core/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/isotime.h"
#include "protocol/mem.h"

#define MONITOR_MAX_OBSERVATIONS 100000
#define MONITOR_MAX_ALERTS 100000
#define CST_MS (8 * 3600 * 1000LL)      /* China Standard Time, UTC+8 */

struct monitor {
	char id[EB_ID_MAX];
	int opened;
	int64_t min_days, notice_days, bits, margin_days;
	struct eb_doc *obs;      /* <observations> of <observation> */
	struct eb_doc *alerts;   /* <alerts> of <alert> */
	int64_t nalerts, nobs;
};

static void *
monitor_create(const char *id)
{
	struct monitor *m = eb_calloc(1, sizeof(*m));

	if (id != NULL)
		snprintf(m->id, sizeof(m->id), "%s", id);
	m->obs = eb_doc_new("observations");
	m->alerts = eb_doc_new("alerts");
	return m;
}

static void
monitor_destroy(void *st)
{
	struct monitor *m = st;

	if (m == NULL)
		return;
	eb_doc_free(m->obs);
	eb_doc_free(m->alerts);
	free(m);
}

static int
monitor_handles(const char *name)
{
	return name != NULL && (strcmp(name, "open-monitor") == 0 ||
	    strcmp(name, "check-tender") == 0 ||
	    strcmp(name, "observe") == 0 ||
	    strcmp(name, "close-alert") == 0);
}

/* -- the rules ---------------------------------------------------------- */

static int64_t
cst_day(int64_t ms)
{
	int64_t v = ms + CST_MS;

	return v >= 0 ? v / EB_MS_PER_DAY : -((-v + EB_MS_PER_DAY - 1) /
	    EB_MS_PER_DAY);
}

static int
time_of(const struct eb_doc *d, const char *name, int64_t *ms)
{
	const char *s = d != NULL ? eb_doc_attr(d, name) : NULL;

	return s != NULL && eb_isotime_parse(s, ms) == 0;
}

/* An alert's figures (rules version 3, docs/registries.md "Process
 * monitoring"): the same facts as its English detail, as attributes the
 * desks render in their language.  Names a decide() may set. */
static const char *const figure_names[] = {
	"days", "required-days", "party", "other-party", "address",
	"other-address", "subject", "authorised-until", "opening",
	"margin-days", "subnet-bits",
};

static struct eb_doc *
add_alert(struct eb_doc *out, const char *kind, const char *tender,
    const char *detail)
{
	struct eb_doc *x = eb_doc_add(out, "alert");

	eb_doc_set_attr(x, "kind", kind);
	eb_doc_set_attr(x, "tender", tender);
	eb_doc_set_attr(x, "detail", detail);
	return x;
}

struct eb_doc *
eb_monitor_tender_alerts(const struct eb_doc *tender, int64_t min_days,
    int64_t notice_days)
{
	struct eb_doc *out = eb_doc_new("alerts");
	const struct eb_doc *ann = eb_doc_child(tender, "announcement");
	const struct eb_doc *dl = eb_doc_path(tender,
	    "registration/bid-deadline");
	const struct eb_doc *n;
	struct eb_doc *x;
	const char *id = eb_doc_attr(tender, "id");
	int64_t issued, deadline, at, d;
	char detail[160];

	if (id == NULL)
		return out;
	/* Art. 24: from the issue of the documents to the bid deadline */
	if (time_of(ann, "at", &issued) && time_of(dl, "at", &deadline) &&
	    (d = cst_day(deadline) - cst_day(issued)) < min_days) {
		snprintf(detail, sizeof(detail), "%lld days from the "
		    "announcement to the bid deadline, fewer than %lld",
		    (long long)d, (long long)min_days);
		x = add_alert(out, "short-bidding-period", id, detail);
		eb_doc_set_attr_i64(x, "days", d);
		eb_doc_set_attr_i64(x, "required-days", min_days);
	}
	/* Art. 23: an amendment at least notice-days before the deadline */
	eb_doc_foreach(n, eb_doc_child(tender, "notices"), "amendment")
		if (time_of(n, "at", &at) && time_of(n, "bid-deadline",
		    &deadline) && (d = cst_day(deadline) - cst_day(at)) <
		    notice_days) {
			snprintf(detail, sizeof(detail), "documents amended "
			    "%lld days before the bid deadline, fewer than "
			    "%lld", (long long)d, (long long)notice_days);
			x = add_alert(out, "deadline-moved-without-notice", id,
			    detail);
			eb_doc_set_attr_i64(x, "days", d);
			eb_doc_set_attr_i64(x, "required-days", notice_days);
			break;
		}
	return out;
}

static int
ipv4(const char *s, uint32_t *v)
{
	unsigned a, b, c, d;
	char tail;

	if (s == NULL || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d,
	    &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
		return 0;
	*v = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
	return 1;
}

int
eb_monitor_same_network(const char *a, const char *b, int bits)
{
	uint32_t x, y, mask;

	if (a == NULL || b == NULL)
		return 0;
	if (ipv4(a, &x) && ipv4(b, &y)) {
		if (bits <= 0)
			return 1;
		mask = bits >= 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
		return (x & mask) == (y & mask);
	}
	return strcmp(a, b) == 0;
}

/* -- decide ------------------------------------------------------------- */

/* Is an alert of 'kind' on 'tender' (and 'detail' when given) raised? */
static int
raised(const struct monitor *m, const struct eb_doc *pending,
    const char *kind, const char *tender, const char *detail)
{
	const struct eb_doc *lists[2] = { m->alerts, pending }, *a;

	for (int i = 0; i < 2; i++)
		eb_doc_foreach(a, lists[i], NULL)
			if (eb_doc_attr(a, "kind") != NULL &&
			    strcmp(eb_doc_attr(a, "kind"), kind) == 0 &&
			    strcmp(eb_doc_attr(a, "tender"), tender) == 0 &&
			    (detail == NULL || strcmp(eb_doc_attr(a, "detail"),
			    detail) == 0))
				return 1;
	return 0;
}

/* 'fig' (NULL: none): an element whose figure attributes the alert
 * carries from rules version 3 on; before, the detail alone. */
static void
raise_alert(const struct monitor *m, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *kind, const char *tender,
    const char *detail, const struct eb_doc *fig, const char *iso)
{
	struct eb_doc *e = eb_doc_add(ev, "alert-raised");
	size_t i;

	/* numbered after the alerts raised, this command's included */
	eb_doc_set_attr_i64(e, "no", m->nalerts +
	    (int64_t)eb_doc_count(ev, "alert-raised"));
	eb_doc_set_attr(e, "kind", kind);
	eb_doc_set_attr(e, "tender", tender);
	eb_doc_set_attr(e, "detail", detail);
	if (fig != NULL && eb_cmd_rules(cmd) >= 3)
		for (i = 0; i < sizeof(figure_names) / sizeof(figure_names[0]);
		    i++)
			eb_doc_set_attr(e, figure_names[i],
			    eb_doc_attr(fig, figure_names[i]));
	eb_doc_set_attr(e, "at", iso);
}

static int
decide_open(const struct monitor *m, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	static const struct { const char *name; int64_t dflt, lo, hi; } k[] = {
		{ "min-bidding-days", 20, 1, 365 },
		{ "notice-days", 15, 0, 365 },
		{ "subnet-bits", 24, 8, 32 },
		{ "award-margin-days", 30, 0, 365 },
	};
	struct eb_doc *e;
	int64_t v;
	int rc;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_SUPERVISOR),
	    err)) != EB_OK)
		return rc;
	if (m->opened)
		return eb_fail(err, EB_ERR_STATE, "monitor-exists",
		    "Amend nothing: open a new monitor for other rules.",
		    "monitor %s is open already", m->id);
	e = eb_doc_add(ev, "monitor-opened");
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		v = k[i].dflt;
		if (eb_doc_attr(cmd->body, k[i].name) != NULL &&
		    (eb_doc_attr_i64(cmd->body, k[i].name, &v) != EB_OK ||
		    v < k[i].lo || v > k[i].hi))
			return eb_fail(err, EB_ERR_FORMAT, "bad-monitor-rules",
			    "Give each rule within its range: min-bidding-days "
			    "1 to 365, notice-days 0 to 365, subnet-bits 8 to "
			    "32, award-margin-days 0 to 365.",
			    "open-monitor: %s out of "
			    "range", k[i].name);
		eb_doc_set_attr_i64(e, k[i].name, v);
	}
	eb_doc_set_attr(e, "at", iso);
	return EB_OK;
}

static int
decide_check(const struct monitor *m, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	const struct eb_doc *f = cmd->facts, *a;
	struct eb_doc *found, *e;
	const char *job;
	int64_t n = 0;
	int rc = EB_OK;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_SUPERVISOR) |
	    EB_ROLE_BIT(EB_ROLE_SYSTEM), err)) != EB_OK)
		return rc;
	if ((job = eb_registers_need_attr(cmd->body, "job", EB_ID_MAX, err,
	    &rc)) == NULL)
		return rc;
	if (f == NULL || strcmp(f->name, "tender") != 0 ||
	    eb_doc_attr(f, "id") == NULL ||
	    strcmp(eb_doc_attr(f, "id"), job) != 0 ||
	    eb_doc_attr(f, "head-seq") == NULL)
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-tender",
		    "Name the tender to check (job=).",
		    "check-tender: no tender %s", job);
	found = eb_monitor_tender_alerts(f, m->min_days, m->notice_days);
	e = eb_doc_add(ev, "tender-checked");
	eb_doc_set_attr(e, "tender", job);
	eb_doc_set_attr(e, "tender-seq", eb_doc_attr(f, "head-seq"));
	eb_doc_set_attr(e, "tender-hash", eb_doc_attr(f, "head-hash"));
	eb_doc_set_attr(e, "at", iso);
	eb_doc_foreach(a, found, "alert")
		if (!raised(m, ev, eb_doc_attr(a, "kind"), job, NULL)) {
			raise_alert(m, cmd, ev, eb_doc_attr(a, "kind"), job,
			    eb_doc_attr(a, "detail"), a, iso);
			n++;
		}
	eb_doc_set_attr_i64(e, "alerts", n);
	eb_doc_free(found);
	return EB_OK;
}

static int
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static int
decide_observe(const struct monitor *m, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	const struct eb_doc *b = cmd->body, *o;
	const char *job, *party, *role, *addr;
	struct eb_doc *e, *fig;
	char detail[512];
	int64_t until = 0, opening = 0;
	int rc = EB_OK;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_SYSTEM),
	    err)) != EB_OK)
		return rc;
	if ((job = eb_registers_need_attr(b, "job", EB_ID_MAX, err,
	    &rc)) == NULL || (party = eb_registers_need_attr(b, "party",
	    EB_ID_MAX, err, &rc)) == NULL || (role = eb_registers_need_attr(b,
	    "role", EB_ID_MAX, err, &rc)) == NULL ||
	    (addr = eb_registers_need_attr(b, "address", EB_ID_MAX, err,
	    &rc)) == NULL)
		return rc;
	if (m->nobs >= MONITOR_MAX_OBSERVATIONS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-observations",
		    NULL, "monitor %s holds its maximum of observations",
		    m->id);
	if (eb_doc_attr(b, "subject") != NULL &&
	    (!time_of(b, "authorised-until", &until) ||
	    !time_of(b, "opening", &opening)))
		return eb_fail(err, EB_ERR_FORMAT, "bad-command",
		    "With subject=, give authorised-until= and opening=.",
		    "observe: a representative's bid without its dates");
	/* one observation per (tender, party, address, subject) */
	eb_doc_foreach(o, m->obs, "observation")
		if (strcmp(eb_doc_attr(o, "tender"), job) == 0 &&
		    strcmp(eb_doc_attr(o, "party"), party) == 0 &&
		    strcmp(eb_doc_attr(o, "address"), addr) == 0 &&
		    same_text(eb_doc_attr(o, "subject"),
		    eb_doc_attr(b, "subject")))
			return eb_fail(err, EB_ERR_CONFLICT, "already-observed",
			    "Nothing new: the monitor holds this observation.",
			    "%s on %s from %s is observed already", party, job,
			    addr);
	e = eb_doc_add(ev, "observed");
	eb_doc_set_attr(e, "tender", job);
	eb_doc_set_attr(e, "party", party);
	eb_doc_set_attr(e, "role", role);
	eb_doc_set_attr(e, "address", addr);
	eb_doc_set_attr(e, "subject", eb_doc_attr(b, "subject"));
	eb_doc_set_attr(e, "authorised-until",
	    eb_doc_attr(b, "authorised-until"));
	eb_doc_set_attr(e, "opening", eb_doc_attr(b, "opening"));
	eb_doc_set_attr(e, "at", iso);
	/* the award comes award-margin-days after the opening at the
	 * latest the centre expects: a representative must still be one */
	if (eb_doc_attr(b, "subject") != NULL &&
	    until < opening + m->margin_days * EB_MS_PER_DAY) {
		snprintf(detail, sizeof(detail), "bidder %s signed for "
		    "subject %s, authorised until %s, before the award "
		    "(opening %s + %lld days)", party,
		    eb_doc_attr(b, "subject"),
		    eb_doc_attr(b, "authorised-until"),
		    eb_doc_attr(b, "opening"), (long long)m->margin_days);
		fig = eb_doc_new("figures");
		eb_doc_set_attr(fig, "party", party);
		eb_doc_set_attr(fig, "subject", eb_doc_attr(b, "subject"));
		eb_doc_set_attr(fig, "authorised-until",
		    eb_doc_attr(b, "authorised-until"));
		eb_doc_set_attr(fig, "opening", eb_doc_attr(b, "opening"));
		eb_doc_set_attr_i64(fig, "margin-days", m->margin_days);
		if (!raised(m, ev, "authorisation-expires-before-award", job,
		    detail))
			raise_alert(m, cmd, ev,
			    "authorisation-expires-before-award", job, detail,
			    fig, iso);
		eb_doc_free(fig);
	}
	eb_doc_foreach(o, m->obs, "observation") {
		const char *op = eb_doc_attr(o, "party");
		const char *orole = eb_doc_attr(o, "role");
		const char *oa = eb_doc_attr(o, "address");
		const char *bidder, *expert;

		if (strcmp(eb_doc_attr(o, "tender"), job) != 0 ||
		    strcmp(op, party) == 0)
			continue;
		if (strcmp(role, "bidder") == 0 &&
		    strcmp(orole, "bidder") == 0 && strcmp(oa, addr) == 0) {
			/* the pair in byte order: one alert per pair */
			snprintf(detail, sizeof(detail), "bidders %s and %s "
			    "from address %s", strcmp(op, party) < 0 ? op :
			    party, strcmp(op, party) < 0 ? party : op, addr);
			fig = eb_doc_new("figures");
			eb_doc_set_attr(fig, "party", strcmp(op, party) < 0 ?
			    op : party);
			eb_doc_set_attr(fig, "other-party",
			    strcmp(op, party) < 0 ? party : op);
			eb_doc_set_attr(fig, "address", addr);
			if (!raised(m, ev, "same-address", job, detail))
				raise_alert(m, cmd, ev, "same-address", job,
				    detail, fig, iso);
			eb_doc_free(fig);
			continue;
		}
		if ((strcmp(role, "expert") == 0 &&
		    strcmp(orole, "bidder") == 0) ||
		    (strcmp(role, "bidder") == 0 &&
		    strcmp(orole, "expert") == 0)) {
			expert = role[0] == 'e' ? party : op;
			bidder = role[0] == 'e' ? op : party;
			if (!eb_monitor_same_network(addr, oa, (int)m->bits))
				continue;
			snprintf(detail, sizeof(detail), "expert %s and "
			    "bidder %s from one /%lld network", expert, bidder,
			    (long long)m->bits);
			/* party: the expert, other-party: the bidder */
			fig = eb_doc_new("figures");
			eb_doc_set_attr(fig, "party", expert);
			eb_doc_set_attr(fig, "other-party", bidder);
			eb_doc_set_attr(fig, "address", role[0] == 'e' ? addr :
			    oa);
			eb_doc_set_attr(fig, "other-address", role[0] == 'e' ?
			    oa : addr);
			eb_doc_set_attr_i64(fig, "subnet-bits", m->bits);
			if (!raised(m, ev, "expert-on-bidder-network", job,
			    detail))
				raise_alert(m, cmd, ev,
				    "expert-on-bidder-network", job, detail,
				    fig, iso);
			eb_doc_free(fig);
		}
	}
	return EB_OK;
}

static int
decide_close(const struct monitor *m, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	const struct eb_doc *a;
	const char *why = eb_doc_child_text(cmd->body, "reason");
	struct eb_doc *e;
	int64_t no;
	int rc;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_SUPERVISOR),
	    err)) != EB_OK)
		return rc;
	if (eb_doc_attr_i64(cmd->body, "alert", &no) != EB_OK ||
	    why == NULL || why[0] == '\0')
		return eb_fail(err, EB_ERR_FORMAT, "bad-command",
		    "Name the alert (alert=N) and give the <reason>.",
		    "close-alert: alert number or reason missing");
	eb_doc_foreach(a, m->alerts, "alert") {
		int64_t k;

		if (eb_doc_attr_i64(a, "no", &k) != EB_OK || k != no)
			continue;
		if (strcmp(eb_doc_attr(a, "status"), "open") != 0)
			return eb_fail(err, EB_ERR_STATE, "alert-closed",
			    "The alert is closed already.",
			    "alert %lld of %s is closed", (long long)no,
			    m->id);
		e = eb_doc_add(ev, "alert-closed");
		eb_doc_set_attr_i64(e, "no", no);
		eb_doc_set_attr(e, "by", cmd->actor.party);
		eb_doc_set_attr(e, "at", iso);
		eb_doc_add_text(e, "reason", why);
		return EB_OK;
	}
	return eb_fail(err, EB_ERR_NOTFOUND, "no-such-alert",
	    "Name an alert of this monitor.", "monitor %s has no alert %lld",
	    m->id, (long long)no);
}

static int
monitor_decide(const void *st, const struct eb_cmd *cmd,
    struct eb_doc **events, struct eb_error *err)
{
	const struct monitor *m = st;
	const char *name = eb_cmd_name(cmd);
	struct eb_doc *ev;
	char iso[EB_ISOTIME_LEN];
	int rc;

	*events = NULL;
	if ((rc = eb_cmd_check_rules(cmd, err)) != EB_OK)
		return rc;
	ev = eb_doc_new("events");
	eb_isotime_format(cmd->time, iso);
	if (strcmp(name, "open-monitor") == 0)
		rc = decide_open(m, cmd, ev, iso, err);
	else if (!m->opened)
		rc = eb_fail(err, EB_ERR_NOTFOUND, "no-such-monitor",
		    "Open the monitor first (open-monitor).",
		    "monitor %s is not open", m->id);
	else if (m->nalerts >= MONITOR_MAX_ALERTS)
		rc = eb_fail(err, EB_ERR_LIMIT, "too-many-alerts", NULL,
		    "monitor %s holds its maximum of alerts", m->id);
	else if (strcmp(name, "check-tender") == 0)
		rc = decide_check(m, cmd, ev, iso, err);
	else if (strcmp(name, "observe") == 0)
		rc = decide_observe(m, cmd, ev, iso, err);
	else if (strcmp(name, "close-alert") == 0)
		rc = decide_close(m, cmd, ev, iso, err);
	else
		rc = eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "Send a monitor command: open-monitor, check-tender, "
		    "observe or close-alert.",
		    "the monitor does not handle <%s>", name);
	if (rc != EB_OK) {
		eb_doc_free(ev);
		return rc;
	}
	*events = ev;
	return EB_OK;
}

/* -- apply and view ----------------------------------------------------- */

static int
monitor_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct monitor *m = st;
	const struct eb_doc *e;
	struct eb_doc *x;

	eb_doc_foreach(e, events, NULL) {
		if (strcmp(e->name, "monitor-opened") == 0) {
			if (eb_doc_attr_i64(e, "min-bidding-days",
			    &m->min_days) != EB_OK ||
			    eb_doc_attr_i64(e, "notice-days",
			    &m->notice_days) != EB_OK ||
			    eb_doc_attr_i64(e, "subnet-bits", &m->bits) !=
			    EB_OK || eb_doc_attr_i64(e, "award-margin-days",
			    &m->margin_days) != EB_OK)
				return eb_fail(err, EB_ERR_FORMAT, "bad-event",
				    NULL, "monitor-opened without its rules");
			m->opened = 1;
		} else if (strcmp(e->name, "observed") == 0) {
			const struct eb_attr *a;

			x = eb_doc_add(m->obs, "observation");
			for (a = e->attrs; a != NULL; a = a->next)
				eb_doc_set_attr(x, a->name, a->value);
			m->nobs++;
		} else if (strcmp(e->name, "alert-raised") == 0) {
			const struct eb_attr *a;

			x = eb_doc_add(m->alerts, "alert");
			for (a = e->attrs; a != NULL; a = a->next)
				eb_doc_set_attr(x, a->name, a->value);
			eb_doc_set_attr(x, "status", "open");
			m->nalerts++;
		} else if (strcmp(e->name, "alert-closed") == 0) {
			int64_t no, k;

			if (eb_doc_attr_i64(e, "no", &no) != EB_OK)
				return eb_fail(err, EB_ERR_FORMAT, "bad-event",
				    NULL, "alert-closed without its number");
			eb_doc_foreach(x, m->alerts, "alert")
				if (eb_doc_attr_i64(x, "no", &k) == EB_OK &&
				    k == no) {
					eb_doc_set_attr(x, "status", "closed");
					eb_doc_set_attr(x, "by",
					    eb_doc_attr(e, "by"));
					eb_doc_set_attr(x, "closed-at",
					    eb_doc_attr(e, "at"));
					eb_doc_add_text(x, "reason",
					    eb_doc_child_text(e, "reason"));
				}
		} else if (strcmp(e->name, "tender-checked") != 0)
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "the monitor does not know event <%s>", e->name);
	}
	return EB_OK;
}

static struct eb_doc *
monitor_view(const void *st, const struct eb_actor *viewer)
{
	const struct monitor *m = st;
	struct eb_doc *v = eb_doc_new("monitor");
	const struct eb_doc *x;
	int officer = eb_registers_officer(viewer);

	eb_doc_set_attr(v, "id", m->id);
	eb_doc_set_attr_i64(v, "min-bidding-days", m->min_days);
	eb_doc_set_attr_i64(v, "notice-days", m->notice_days);
	eb_doc_set_attr_i64(v, "subnet-bits", m->bits);
	eb_doc_set_attr_i64(v, "award-margin-days", m->margin_days);
	if (!officer)
		return v;
	eb_doc_set_attr_i64(v, "alerts", m->nalerts);
	eb_doc_foreach(x, m->alerts, "alert")
		eb_doc_append(v, eb_doc_clone(x));
	eb_doc_foreach(x, m->obs, "observation")
		eb_doc_append(v, eb_doc_clone(x));
	return v;
}

static const char *
monitor_state_name(const void *st)
{
	return ((const struct monitor *)st)->opened ? "open" : "new";
}

const struct eb_flow_ops eb_monitor_flow = {
	.kind = "monitor",
	.handles = monitor_handles,
	.create = monitor_create,
	.destroy = monitor_destroy,
	.decide = monitor_decide,
	.apply = monitor_apply,
	.view = monitor_view,
	.state_name = monitor_state_name,
	.next_timer = eb_registers_no_timer,
};
