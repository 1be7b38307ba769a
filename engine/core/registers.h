/*
 * engine/core/registers.h
 *    What the centre's register aggregates share (the trading subject,
 *    the expert pool, the monitor: subject.h, pool.h, monitor.h): who
 *    sees their whole record, the refusals of a command from the wrong
 *    office or with a missing attribute, and "no timers".
 *
 * Owner: the registries engineer (docs/registries.md).  Pure: libc and
 * protocol's plain types; owns nothing.
 *
 * INTERFACE
 *    eb_registers_officer()   - an office, an auditor or ebidd itself?
 *    eb_registers_need_role() - refuse a command from another role
 *    eb_registers_need_attr() - a required attribute, or the refusal
 *    eb_registers_no_timer()  - struct eb_flow_ops.next_timer: none
 */
#ifndef EB_CORE_REGISTERS_H
#define EB_CORE_REGISTERS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/cmd.h"

/* 1 when 'viewer' is the registrar, the supervisor, the verifier, an
 * auditor or the system (they see a register's whole record), else 0
 * (NULL included). */
int eb_registers_officer(const struct eb_actor *viewer);

/*
 * EB_OK when cmd's actor holds one of the roles of 'roles' (a mask of
 * EB_ROLE_BIT()); otherwise EB_ERR_DENIED "role-not-allowed" naming the
 * role required (one) or the role refused (several).
 */
int eb_registers_need_role(const struct eb_cmd *cmd, unsigned roles,
    struct eb_error *err);

/*
 * The attribute 'name' of 'd', present, non-empty and shorter than
 * 'max'; otherwise NULL with *rc = EB_ERR_FORMAT "bad-command".
 */
const char *eb_registers_need_attr(const struct eb_doc *d, const char *name,
    size_t max, struct eb_error *err, int *rc);

/* A register waits for no timed command: returns 0. */
int eb_registers_no_timer(const void *st, int64_t *at, const char **name);

#endif
