/*
 * engine/server/opening.h
 *    The opening of the bids (the core's timer "open-bids", once the
 *    custodians' shares are in): the sealed envelopes and the submitted
 *    shares are in the signed commands of the log (the events keep only
 *    their hashes), so the log's commands are read back, verified again
 *    on a worker, the key rebuilt from the shares, and the latest
 *    submit-bid of each bidder the core still holds opened, in two halves
 *    on two workers; ebidd then submits the merged open-bids (system.h).
 *    A failure is reported to the tender as an incident.
 *
 * Owns: each opening in flight (freed when it ends).  Loop thread, and
 * the workers for the heavy parts (workers.h).
 *
 * INTERFACE
 *    eb_opening_start()  - open the bids of the tender of 'slot'
 */
#ifndef EB_SERVER_OPENING_H
#define EB_SERVER_OPENING_H

struct eb_slot;

/* 'state' is borrowed for the call (the view is copied). */
void eb_opening_start(struct eb_slot *slot, const void *state);

#endif
