/*
 * engine/server/export.h
 *    The exported log, for auditors: GET /v1/log?since=&until= lists the
 *    aggregates whose first entry lies in the period; GET /v1/log/ID
 *    answers one aggregate's whole log with its signed chain heads and the
 *    server certificates (protocol/logdoc.h), the file ebid-audit verifies
 *    and replays.  An auditor's (or an officer's) certificate only.
 *
 * Owns nothing between requests.  Loop thread.
 *
 * INTERFACE
 *    eb_handle_log()  - GET /v1/log and /v1/log/ID
 */
#ifndef EB_SERVER_EXPORT_H
#define EB_SERVER_EXPORT_H

struct eb_req;

/* 'query' may hold since= and until= (ISO instants) for the list. */
void eb_handle_log(struct eb_req *r, const char *id, const char *query);

#endif
