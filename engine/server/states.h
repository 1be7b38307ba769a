/*
 * engine/server/states.h
 *    The core's lists of state names (engine/core/flow.h: final_states,
 *    unlisted_states, public_head_states) as ebidd uses them: a
 *    membership test and SQL conditions over aggregate_state.  ebidd holds
 *    no state name of its own (tests/unit/server_state_names.c).
 */
#ifndef EB_SERVER_STATES_H
#define EB_SERVER_STATES_H

#include <stddef.h>

enum eb_states_list { EB_STATES_FINAL, EB_STATES_UNLISTED,
    EB_STATES_PUBLIC_HEADS };

/* Is 'state' of aggregate kind 'kind' in the kind's list 'which'? */
int eb_state_in(const char *kind, enum eb_states_list which,
    const char *state);
/*
 * Writes to 'out' an SQL condition over the columns 'kind_col' and
 * 'state_col': true for a row of a kind that has list 'which' whose state
 * is in it ('negate' 0) or not in it ('negate' 1); kinds without the list
 * never match.  -1 when 'out' is too small.
 */
int eb_states_sql(char *out, size_t cap, const char *kind_col,
    const char *state_col, enum eb_states_list which, int negate);

#endif
