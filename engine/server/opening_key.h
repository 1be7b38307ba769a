/*
 * engine/server/opening_key.h
 *    The tender's opening key (the core's EB_ACT_MAKE_OPENING_KEY, when
 *    bidding opens): a fresh key whose private half is split k-of-n among
 *    the custodians the registration names, each share sealed to the
 *    custodian's certificate from the centre's directory (directory.h);
 *    ebidd submits set-opening-key (system.h) and forgets the key.  A
 *    failure is reported to the tender as an incident and retried only
 *    when the action is due again.
 *
 * INTERFACE
 *    eb_opening_key_make()
 */
#ifndef EB_SERVER_OPENING_KEY_H
#define EB_SERVER_OPENING_KEY_H

struct eb_slot;

void eb_opening_key_make(struct eb_slot *slot, const void *state);

#endif
