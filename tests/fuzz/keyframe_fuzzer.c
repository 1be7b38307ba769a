/*
 * tests/fuzz/keyframe_fuzzer.c
 *    Fuzz target: untrusted bytes into the parser of the frames between
 *    ebidd's network and key processes (protocol/keyframe.c): the first
 *    byte says which side reads them (even: the key process reads a
 *    request; odd: the network process reads a reply), the rest is one
 *    frame, header and payload.
 *
 * Owner: privilege separation (engine/server/keyproc.c).
 *
 * Invariants (abort on violation): a refusal names its reason and
 * returns no part; an accepted payload is exactly its parts (each
 * inside it, within the type's bounds), writing the parts again with
 * eb_kf_put() gives the same bytes, and a failure reply's four parts
 * make an eb_error with printable text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/keyframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_kf_part parts[EB_KF_PARTS_MAX];
	struct eb_kf_header h;
	struct eb_error e;
	struct eb_buf again = EB_BUF_INIT;
	size_t n = 12345, i, sum = 0;
	int reply, rc;

	if (size < 1 + EB_KF_HEADER)
		return 0;
	reply = data[0] & 1;
	data++;
	size--;
	eb_error_clear(&e);
	rc = eb_kf_header_parse(data, reply, &h, &e);
	if (rc != EB_OK) {
		if (e.reason[0] == '\0')
			abort();
		return 0;
	}
	if (h.len != size - EB_KF_HEADER)
		return 0;                  /* a short read: the caller waits */
	eb_error_clear(&e);
	rc = eb_kf_parts(&h, reply, data + EB_KF_HEADER, parts, &n, &e);
	if (rc != EB_OK) {
		if (e.reason[0] == '\0' || n != 0)
			abort();
		return 0;
	}
	if (n > EB_KF_PARTS_MAX)
		abort();
	again.max = (size_t)h.len + 1;
	for (i = 0; i < n; i++) {
		if (parts[i].p < data + EB_KF_HEADER ||
		    parts[i].p + parts[i].n > data + size)
			abort();
		sum += 4 + parts[i].n;
		if (eb_kf_put(&again, parts[i].p, parts[i].n) != EB_OK)
			abort();
	}
	if (sum != h.len || again.len != h.len ||
	    (h.len > 0 && memcmp(again.data, data + EB_KF_HEADER, h.len) != 0))
		abort();
	eb_buf_free(&again);
	if (reply && h.status == EB_KF_FAILED) {
		if (n != 4)
			abort();
		eb_kf_error_parse(parts, &e);
		if (e.code >= 0)
			abort();
		for (i = 0; e.primary[i] != '\0'; i++)
			if ((unsigned char)e.primary[i] < 0x20)
				abort();
	}
	return 0;
}
