/*
 * engine/server/flows.h
 *    The registry of aggregate kinds ebidd serves: which struct eb_flow_ops
 *    (engine/core/flow.h) decides a command, and which root attribute of
 *    the command names its target ("tender", "sale", "pool").
 *
 * (engine/core/flows.h is the core's own registry, shared with ebid-audit;
 * once it is built into a library this table can be filled from it.  The
 * names here carry eb_server_ so both can be linked into one program.)
 *
 * INTERFACE
 *    eb_server_flow_for_command() - the kind whose ops->handles(name), or NULL
 *    eb_server_flow_for_kind()    - the kind named 'kind', or NULL
 */
#ifndef EB_SERVER_FLOWS_H
#define EB_SERVER_FLOWS_H

#include "engine/core/flow.h"

struct eb_flow_entry {
	const char *kind;               /* "tender": aggregates.kind */
	const char *attr;               /* root attribute with the target id */
	const struct eb_flow_ops *ops;
};

const struct eb_flow_entry *eb_server_flow_for_command(const char *name);
const struct eb_flow_entry *eb_server_flow_for_kind(const char *kind);

#endif
