/*
 * tools/ocds.h
 *    Open Contracting Data Standard 1.1.5 open data from an aggregate's
 *    log: a release for every step of a tender or a sale that the public
 *    may see, and a record with the compiled release (docs/ocds.md).
 *
 * Built from the log the same way ebid-audit replays it: the recorded
 * events are folded through engine/core from nothing, and after every
 * entry the core's view for the public (role none, the public board's
 * view) is mapped to a release; an entry that changes nothing the public
 * sees gives no release.  Nothing but that view is read, and of it only
 * the fields the board shows: so no bid content before the opening, no
 * expert before the result, no party of a sale, no person, no officer.
 * The caller verifies the log first (eb_audit_verify()).
 *
 * Owns nothing: the packages are written into the caller's buffers.
 *
 * INTERFACE
 *    eb_ocds_build()  - the release package and the record package (JSON)
 */
#ifndef EB_TOOLS_OCDS_H
#define EB_TOOLS_OCDS_H

#include "protocol/buf.h"
#include "protocol/err.h"
#include "protocol/logdoc.h"

struct eb_ocds_opts {
	const char *prefix;      /* ocid prefix, "ocds-xxxxxx" */
	const char *publisher;   /* the publisher's name */
	const char *uri_base;    /* where the packages are published, or NULL */
};

/*
 * The release package (one release per public step, oldest first) into
 * 'releases' and the record package (every release and the compiled one)
 * into 'record', both JSON, UTF-8.  A log with no public step (a tender
 * never announced, a sale never listed) gives EB_ERR_NOTFOUND: there is
 * nothing to publish.  The pool's log is not open data (EB_ERR_USAGE).
 */
int eb_ocds_build(const struct eb_audit_log *l, const struct eb_ocds_opts *o,
    struct eb_buf *releases, struct eb_buf *record, struct eb_error *err)
    EB_MUSTCHECK;

#endif
