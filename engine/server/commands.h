/*
 * engine/server/commands.h
 *    POST /v1/commands and ebidd's own commands: verify, route, queue on
 *    the aggregate (aggs.h), fold, decide, append, reply (see
 *    commands.c); then one eb_notify_committed() (notify.h).  Reads and
 *    pokes take their own short path (reads.h).
 *
 * Owns: struct eb_commands (srv->cmds; eb_commands_free()).  Loop thread.
 *
 * INTERFACE
 *    eb_commands_new(), eb_commands_free(), eb_commands_busy()
 *    eb_handle_command()         - POST /v1/commands
 *    eb_commands_submit_system() - one of ebidd's own signed commands
 *    eb_commands_set_observer()  - told of each committed command with
 *                                  its peer address (monitoring.h)
 */
#ifndef EB_SERVER_COMMANDS_H
#define EB_SERVER_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/flows.h"
#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;
struct eb_commands;

/* The end of one of ebidd's own commands: 'accepted' on success,
 * borrowed. */
typedef void (*eb_system_done_fn)(void *arg, int rc,
    const struct eb_error *e, const struct eb_doc *accepted);

struct eb_commands *eb_commands_new(struct eb_server *srv);
void eb_commands_free(struct eb_commands *c);
/* Commands in progress or queued. */
unsigned eb_commands_busy(const struct eb_commands *c);
void eb_handle_command(struct eb_req *r);

int eb_commands_submit_system(struct eb_commands *cs, const char *target,
    uint8_t *der, size_t der_len, struct eb_doc *doc,
    eb_system_done_fn done, void *arg) EB_MUSTCHECK;

/*
 * Called once per committed command, before the reply: its aggregate
 * (flow, state as committed, id), the command's name, its actor, the
 * peer address of its connection (NULL for ebidd's own) and the facts it
 * was decided on (or NULL).  main.c sets eb_monitoring_committed().
 */
typedef void (*eb_commands_observer_fn)(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state, const char *id,
    const char *name, const struct eb_actor *actor, const char *addr,
    const struct eb_doc *facts);
void eb_commands_set_observer(struct eb_commands *cs,
    eb_commands_observer_fn fn);
#endif
