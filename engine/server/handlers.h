/*
 * engine/server/handlers.h
 *    The small handlers (handlers.c): GET /v1/health, GET /v1/whoami,
 *    POST /v1/test/clock (a test clock only; moves the driven clock and
 *    fires what is due, timers.h).
 *
 * INTERFACE
 *    eb_handle_health(), eb_handle_whoami(), eb_handle_test_clock(),
 *    eb_handle_opening_authority()
 *    eb_handle_server_certificate() - the signing certificate (shares)
 */
#ifndef EB_SERVER_HANDLERS_H
#define EB_SERVER_HANDLERS_H

struct eb_req;

void eb_handle_health(struct eb_req *r);
void eb_handle_whoami(struct eb_req *r);
/* GET /v1/opening-authority */
void eb_handle_opening_authority(struct eb_req *r);
void eb_handle_server_certificate(struct eb_req *r);
void eb_handle_test_clock(struct eb_req *r);

#endif
