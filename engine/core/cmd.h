/*
 * engine/core/cmd.h
 *    Commands: what the core is asked to decide on (roles and actors are
 *    in protocol/actor.h).
 *
 * A command is a signed XML document whose signature and schema ebidd (or
 * ebid-audit) has already checked; the core receives its tree (protocol/
 * doc.h), the actor taken from the verified signer certificate, the target
 * aggregate's id, and the instant the server stamped at receipt.  The core
 * never reads a clock: 'time' is the only time it knows.
 *
 * Rules versions.  What the core decides is part of the log's meaning: a
 * logged command re-decided must give the logged events.  So a change in
 * what the core decides for a command it decided before (other events,
 * another refusal) is a new rules version: EB_RULES_CURRENT goes up by
 * one and the old behaviour stays, selected by the command's 'rules'.
 * ebidd decides every command by EB_RULES_CURRENT and records it in the
 * entry (protocol/entry.h); ebid-audit replays each entry by the version
 * it records (docs/audit.md "Rules versions", how to change a rule).
 *
 *   1  the rules of every entry logged before versions were recorded
 *   2  a sale listing that closes without a quote names no leader and no
 *      price (absent, never "0"; sale-listing-closed in sale.c)
 *   3  a monitor's alert-raised carries its figures as attributes (days,
 *      required-days, party, other-party, address, ...: monitor.c), the
 *      English detail unchanged
 *   4  rate-agency: a tenderer who is an authorised representative of the
 *      agency at the rating's instant (its subject's facts, agency_facts)
 *      is refused, not only one the tender's registration recorded; the
 *      agency-rated event names the subject entry (agency-seq,
 *      agency-hash) the decision rested on (pool.c)
 *
 * Pure: libc and protocol's plain types only.
 */
#ifndef EB_CMD_H
#define EB_CMD_H

#include <stdint.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

#define EB_RULES_FIRST 1
#define EB_RULES_CURRENT 4

struct eb_cmd {
	const struct eb_doc *body;  /* borrowed; root element = command name */
	struct eb_actor actor;
	char target[EB_ID_MAX];     /* tender or sale id ("" for none) */
	int64_t time;               /* server receipt instant, ms UTC */
	/* Facts of another aggregate the server attached (borrowed, NULL
	 * when none): a subject's view for eb_subject_admit(), subject.h. */
	const struct eb_doc *facts;
	/* A second aggregate's facts (borrowed, NULL when none): for
	 * rate-agency, the view of the agency's trading subject (pool.h). */
	const struct eb_doc *agency_facts;
	/* The rules version to decide by, EB_RULES_FIRST..EB_RULES_CURRENT;
	 * 0 is EB_RULES_CURRENT (a caller that does not replay a log). */
	int rules;
};

/* The command's name (its root element), "" when there is no body. */
const char *eb_cmd_name(const struct eb_cmd *c);

/* The rules version 'c' is decided by: c->rules, or EB_RULES_CURRENT
 * when 0. */
int eb_cmd_rules(const struct eb_cmd *c);

/*
 * EB_OK when this core keeps the rules version 'c' names; otherwise
 * EB_ERR_FORMAT, reason rules-unknown, naming the version and the range
 * known (every decide() starts with it).
 */
int eb_cmd_check_rules(const struct eb_cmd *c, struct eb_error *err)
    EB_MUSTCHECK;

#endif
