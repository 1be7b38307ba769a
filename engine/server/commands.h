/*
 * engine/server/commands.h
 *    POST /v1/commands and the per-aggregate pipeline every command, read
 *    and poke goes through (see commands.c): verify, route, queue, fold,
 *    decide, append, reply; then one eb_notify_committed() (notify.h).
 *
 * Owns: struct eb_commands (srv->cmds; eb_commands_free()).  Loop thread.
 *
 * INTERFACE
 *    eb_commands_new(), eb_commands_free(), eb_commands_busy()
 *    eb_handle_command()         - POST /v1/commands
 *    eb_handle_read()            - GET of a view or the duties
 *    eb_commands_submit_system() - one of ebidd's own signed commands
 *    eb_commands_read()          - a view without a request (the board)
 *    eb_commands_poke()          - reload an aggregate and notify
 */
#ifndef EB_SERVER_COMMANDS_H
#define EB_SERVER_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;
struct eb_commands;

enum eb_job_kind { EB_JOB_COMMAND = 0, EB_JOB_VIEW, EB_JOB_DUTIES,
    EB_JOB_POKE, EB_JOB_FACTS /* the system's view + head-seq, head-hash */ };

/* The end of one of ebidd's own commands or reads: 'accepted' (or the
 * view) on success, borrowed. */
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
void eb_handle_read(struct eb_req *r, const char *kind, const char *id,
    enum eb_job_kind what);
/*
 * The view (or duties) of aggregate 'id' of 'kind' as 'viewer' sees it,
 * without a request: 'done' gets the tree (borrowed) or the error, on the
 * loop thread.  EB_OK when queued ('done' is then called exactly once).
 */
int eb_commands_read(struct eb_commands *cs, const char *kind,
    const char *id, const struct eb_actor *viewer, enum eb_job_kind what,
    eb_system_done_fn done, void *arg) EB_MUSTCHECK;
/* Load aggregate 'id' and notify the observers (notify.h) with its state. */
void eb_commands_poke(struct eb_commands *cs, const char *id,
    const struct eb_flow_entry *flow);

#endif
