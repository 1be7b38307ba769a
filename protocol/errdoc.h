/*
 * protocol/errdoc.h
 *    The XML error document every failure is answered with
 *    (protocol/xsd/error.xsd):
 *
 *    <error xmlns="urn:ebid:1" code="state" reason="not-allowed-in-state"
 *           status="409" request-id="...">
 *      <message>...</message><detail>...</detail><hint>...</hint>
 *    </error>
 */
#ifndef EB_ERRDOC_H
#define EB_ERRDOC_H

#include "protocol/buf.h"
#include "protocol/doc.h"
#include "protocol/err.h"

/* The error as a tree (caller frees). */
struct eb_doc *eb_errdoc_build(const struct eb_error *e,
    const char *request_id);
/* Read an error document back (client side); EB_ERR_FORMAT if not one. */
int eb_errdoc_read(const struct eb_doc *d, struct eb_error *e);

#endif
