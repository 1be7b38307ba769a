/*
 * engine/server/registry.h
 *    What the centre's registers need beyond one aggregate's rules
 *    (docs/registries.md), checked by ebidd before a command is decided:
 *      - register-subject: no subject holds the same unified social
 *        credit code already (credit-code-registered), looked up in the
 *        read model subject_codes; two in flight at once both pass this
 *        look-up, and the table's key refuses the second append
 *        (schema/0012_subject_codes.sql, commands.c EB_APPEND_CODE);
 *      - record-finding: each <evidence aggregate= seq= hash=/> names an
 *        entry of that log with that hash (evidence-unresolved).
 *    A refused command changes nothing; an accepted one is decided by the
 *    core as usual.  ebid-audit checks the evidence again from the logs
 *    (tools/audit_log.c).
 *
 * Owner: the registries engineer.  Loop thread.
 *
 * INTERFACE
 *    eb_registry_wants()  - does this command need a check?
 *    eb_registry_check()  - run it; 'done' gets EB_OK or the refusal
 */
#ifndef EB_SERVER_REGISTRY_H
#define EB_SERVER_REGISTRY_H

#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;

typedef void (*eb_registry_done_fn)(void *arg, int rc,
    const struct eb_error *e);

int eb_registry_wants(const struct eb_doc *cmd);
/* EB_OK when the check is queued ('done' follows), else an error. */
int eb_registry_check(struct eb_server *srv, const struct eb_doc *cmd,
    eb_registry_done_fn done, void *arg);

#endif
