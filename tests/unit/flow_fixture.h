/*
 * tests/unit/flow_fixture.h
 *    What the unit tests of the register aggregates (test_subject.c,
 *    test_pool.c, test_monitor.c) and of the evaluation share: an
 *    element built from attribute pairs, and a command decided and
 *    applied as ebidd does.
 *
 * Owner: the registries engineer.  Test code (CMocka asserts).
 *
 * INTERFACE
 *    fx_el()  - a new element (under 'parent' when given) with attributes
 *    fx_run() - decide, then apply what was decided
 */
#ifndef EB_TESTS_FLOW_FIXTURE_H
#define EB_TESTS_FLOW_FIXTURE_H

#include "engine/core/cmd.h"
#include "engine/core/flow.h"

/* <name k1="v1" k2="v2" ...> (pairs ended by NULL), added to 'parent'
 * or new when 'parent' is NULL. */
struct eb_doc *fx_el(struct eb_doc *parent, const char *name, ...);

/*
 * ops->decide(st, cmd); on success asserts that events came and that
 * ops->apply() folds them, on refusal that none came.  *out gets the
 * events (caller frees) when 'out' is not NULL, else they are freed.
 * Returns decide's code; 'err' holds the refusal.
 */
int fx_run(const struct eb_flow_ops *ops, void *st, const struct eb_cmd *cmd,
    struct eb_doc **out, struct eb_error *err);

#endif
