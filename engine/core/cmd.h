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
 * Pure: libc and protocol's plain types only.
 */
#ifndef EB_CMD_H
#define EB_CMD_H

#include <stdint.h>

#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_cmd {
	const struct eb_doc *body;  /* borrowed; root element = command name */
	struct eb_actor actor;
	char target[EB_ID_MAX];     /* tender or sale id ("" for none) */
	int64_t time;               /* server receipt instant, ms UTC */
	/* Facts of another aggregate the server attached (borrowed, NULL
	 * when none): a subject's view for eb_subject_admit(), subject.h. */
	const struct eb_doc *facts;
};

/* The command's name (its root element), "" when there is no body. */
const char *eb_cmd_name(const struct eb_cmd *c);

#endif
