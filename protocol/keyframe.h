/*
 * protocol/keyframe.h
 *    The frames between ebidd's network process and its key process
 *    (engine/server/keyproc.c; docs/architecture.md, privilege
 *    separation): a small, fixed binary format whose parser is fuzzed
 *    (tests/fuzz/keyframe_fuzzer.c).
 *
 *    frame   = header payload
 *    header  = 'E' 'K' type(1) status(1) length(4, big-endian)   8 bytes
 *    payload = part*            part = length(4, big-endian) bytes
 *
 *    A request has status 0; its reply has the same type and status 0
 *    (one part: the result) or 1 (four parts: code as 8 bytes, reason,
 *    primary message, hint).  Each type fixes how many parts its request
 *    has, the size of the fixed ones (8-byte integers, the 32-byte
 *    digest) and the most bytes of each part and of the whole payload:
 *
 *    SIGN        data                               -> CMS SignedData DER
 *    STAMP       digest(32) at_ms(8) serial(8)      -> RFC 3161 token DER
 *    OPENING_KEY tender now_ms(8) until_ms(8) k(8) (party cert_der)*1..16
 *                                                   -> set-opening-key XML
 *    OPEN_BEGIN  opening_cert_der k(8) sealed_share_b64*0..16 -> handle(8)
 *    OPEN_BID    handle(8) envelope_der             -> inner DER
 *    OPEN_END    handle(8)                          -> empty
 *    READY       (key process -> network process once, at start) no part
 *
 * Pure: libc and protocol/buf only; no I/O (the caller reads and writes).
 *
 * INTERFACE
 *    eb_kf_header_parse() / eb_kf_header_write()
 *    eb_kf_parts()        - split and check a payload against its type
 *    eb_kf_put() / eb_kf_put_u64() / eb_kf_u64()
 *    eb_kf_error_parse()  - the eb_error of a status-1 reply
 */
#ifndef EB_KEYFRAME_H
#define EB_KEYFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/buf.h"
#include "protocol/err.h"

#define EB_KF_HEADER 8
#define EB_KF_PARTS_MAX (4 + 2 * 16)
#define EB_KF_SIGN_MAX ((size_t)256 << 20)      /* EB_SYSTEM_CMD_MAX */
#define EB_KF_ENVELOPE_MAX ((size_t)64 << 20)   /* a logged bid command */
#define EB_KF_SMALL_MAX ((size_t)64 << 10)      /* a certificate, a share */
#define EB_KF_ID_MAX 128                        /* a tender id, a party */

enum eb_kf_type {
	EB_KF_READY = 1,
	EB_KF_SIGN = 2,
	EB_KF_STAMP = 3,
	EB_KF_OPENING_KEY = 4,
	EB_KF_OPEN_BEGIN = 5,
	EB_KF_OPEN_BID = 6,
	EB_KF_OPEN_END = 7,
};

#define EB_KF_OK 0
#define EB_KF_FAILED 1

struct eb_kf_header {
	uint8_t type;
	uint8_t status;
	uint32_t len;
};

struct eb_kf_part {
	const uint8_t *p;
	size_t n;
};

/*
 * Check 8 header bytes: the magic, a known type, a status (0 for a
 * request, 0 or 1 for a reply) and the type's payload limit.  Refusals:
 * EB_ERR_FORMAT "key-frame-invalid", EB_ERR_LIMIT "key-frame-too-large".
 */
int eb_kf_header_parse(const uint8_t h[EB_KF_HEADER], int reply,
    struct eb_kf_header *out, struct eb_error *err) EB_MUSTCHECK;
void eb_kf_header_write(uint8_t h[EB_KF_HEADER], uint8_t type,
    uint8_t status, uint32_t len);

/*
 * Split the payload of a frame of header 'h' into parts and check them
 * against the type (count, fixed sizes, per-part limits; no trailing
 * byte).  On EB_OK *n parts point into 'p'.  Refusal: EB_ERR_FORMAT
 * "key-frame-invalid".
 */
int eb_kf_parts(const struct eb_kf_header *h, int reply, const uint8_t *p,
    struct eb_kf_part parts[EB_KF_PARTS_MAX], size_t *n,
    struct eb_error *err) EB_MUSTCHECK;

/* Append one part (its length, then its bytes) to a payload. */
int eb_kf_put(struct eb_buf *b, const void *p, size_t n) EB_MUSTCHECK;
int eb_kf_put_u64(struct eb_buf *b, uint64_t v) EB_MUSTCHECK;
/* An 8-byte part as a number (the caller checked its size). */
uint64_t eb_kf_u64(const struct eb_kf_part *part);

/* Fill 'err' from the four parts of a status-1 reply. */
void eb_kf_error_parse(const struct eb_kf_part parts[4], struct eb_error *err);
/* The payload of a status-1 reply carrying 'e'. */
int eb_kf_error_put(struct eb_buf *b, const struct eb_error *e)
    EB_MUSTCHECK;

#endif
