/*
 * engine/core/flows.h
 *    The registry of aggregate kinds: which struct eb_flow_ops
 *    (engine/core/flow.h) decides a command, and which root attribute of
 *    the command names its target.  ebidd and ebid-audit both look flows
 *    up here, so they run the very same set of rules.
 *
 * The kind is also the aggregates.kind value (schema/0001_log.sql CHECK)
 * and selects the id sequence (T-, S-, P-).  A command name is handled by
 * exactly one kind (a unit test checks it).
 *
 * INTERFACE
 *    eb_flow_for_command() - the kind whose ops->handles(name), or NULL
 *    eb_flow_for_kind()    - the kind named 'kind', or NULL
 *    eb_flow_at()          - the i-th kind, NULL past the end
 */
#ifndef EB_FLOWS_H
#define EB_FLOWS_H

#include <stddef.h>

#include "engine/core/flow.h"

struct eb_flow_entry {
	const char *kind;               /* "tender": aggregates.kind */
	const char *attr;               /* root attribute with the target id */
	const struct eb_flow_ops *ops;
};

const struct eb_flow_entry *eb_flow_for_command(const char *name);
const struct eb_flow_entry *eb_flow_for_kind(const char *kind);
const struct eb_flow_entry *eb_flow_at(size_t i);

#endif
