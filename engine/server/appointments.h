/*
 * engine/server/appointments.h
 *    The committee served (the core's EB_ACT_RECORD_APPOINTMENTS): ebidd
 *    records each seated member's appointment in the pool the committee
 *    was drawn from (record-appointment, system.h), so later draws can
 *    avoid experts drawn too often (request-draw recent-days, max-recent).
 *
 * INTERFACE
 *    eb_appointments_record()
 */
#ifndef EB_SERVER_APPOINTMENTS_H
#define EB_SERVER_APPOINTMENTS_H

struct eb_slot;

void eb_appointments_record(struct eb_slot *slot, const void *state);

#endif
