/*
 * engine/server/system.h
 *    ebidd's own part in the flows: the commands it issues itself, signed
 *    with the server's key (timers: deadline-reached, listing-closed,
 *    countdown-expired, publicity-ended...; the opening key when bidding
 *    opens; the opening of the bids once the custodians' shares are in),
 *    the receipts it stamps, and the reads it serves (views, duties, the
 *    exported log).
 *
 * The core says what is due and when (eb_flow_ops.next_timer); this
 * module arms one timer per aggregate and, when the clock reaches it,
 * builds the command, signs it and submits it through the same pipeline
 * as every party's command (eb_commands_submit_system), so it is decided
 * by the same rules and chained in the same log.  With the driven test
 * clock, timers fire when a test moves the clock (eb_system_clock_moved).
 *
 * Owns: struct eb_system (srv->sys; eb_system_free()).
 *
 * INTERFACE
 *    eb_system_init(), eb_system_free()
 *    eb_system_after()         - after each durable command: re-arm, react
 *    eb_system_clock_moved()   - driven clock: fire what is now due
 *    eb_system_wants_receipt() - which commands get an RFC 3161 receipt
 *    eb_system_serial()        - a unique receipt serial
 *    eb_system_read()          - the view / duties of an aggregate
 *    eb_handle_log()           - GET /v1/log and /v1/log/ID (auditors)
 *    eb_handle_heads()         - GET /v1/heads/ID (public board)
 *    eb_system_is_server()     - may this certificate act as the system?
 *    eb_system_check_custodians() - custodians named at registration
 *    eb_commands_submit_system(), eb_handle_read(), eb_commands_read()
 *                              - (commands.c)
 */
#ifndef EB_SERVER_SYSTEM_H
#define EB_SERVER_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;

enum eb_job_kind { EB_JOB_COMMAND = 0, EB_JOB_VIEW, EB_JOB_DUTIES,
    EB_JOB_POKE };

/* The end of one of ebidd's own commands: 'accepted' on success. */
typedef void (*eb_system_done_fn)(void *arg, int rc,
    const struct eb_error *e, const struct eb_doc *accepted);

int eb_system_init(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_system_free(struct eb_server *srv);

void eb_system_after(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);
void eb_system_clock_moved(struct eb_server *srv);
/* At start-up: reload every unfinished tender and sale, arming timers. */
void eb_system_recover(struct eb_server *srv);

int eb_system_wants_receipt(const char *command);
uint64_t eb_system_serial(struct eb_server *srv, int64_t time_ms);

/* A new tree, or NULL when the aggregate has no such read. */
struct eb_doc *eb_system_read(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state,
    const struct eb_actor *viewer, enum eb_job_kind what);

/* Is 'cert' one of the server certificates (own cert, system_certs)? */
int eb_system_is_server(const struct eb_server *srv, X509 *cert);
/*
 * Every custodian a command names (<custodians><custodian party=>) has a
 * custodian certificate in the centre's directory that verifies against
 * the CA; EB_ERR_RULE (unknown-custodian / not-a-custodian) naming the
 * first that has not.
 */
int eb_system_check_custodians(struct eb_server *srv,
    const struct eb_doc *cmd, struct eb_error *err) EB_MUSTCHECK;
/* GET /v1/heads/ID: the signed chain heads (public board). */
void eb_handle_heads(struct eb_req *r, const char *id);

/* 'query' may hold since= and until= (ISO instants) for the list. */
void eb_handle_log(struct eb_req *r, const char *id, const char *query);

/* commands.c */
struct eb_commands;
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
/* Load aggregate 'id' and call eb_system_after() with its state. */
void eb_commands_poke(struct eb_commands *cs, const char *id,
    const struct eb_flow_entry *flow);

#endif
