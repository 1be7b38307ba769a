/*
 * protocol/keyframe.c
 *    The frames between ebidd's network and key processes: see
 *    keyframe.h.  Every length is checked before it is used; nothing
 *    here allocates but eb_kf_put's buffer.
 */
#include <stdio.h>
#include <string.h>

#include "protocol/keyframe.h"

#define ERR_PARTS 4
#define ERR_PAYLOAD_MAX (ERR_PARTS * 4 + 8 + 48 + 192 + 256)
#define OPENING_KEY_XML_MAX ((size_t)1 << 20)

/* The shape of one request or reply: parts and their bounds. */
struct shape {
	size_t min_parts, max_parts;
	size_t fixed;          /* parts [0, fixed) have the sizes in 'size' */
	size_t size[4];        /* 0: any size up to 'part_max[i]' */
	size_t part_max[4];    /* bounds of the first four parts (each
	                          given: 0 is a bound, an empty part) */
	size_t rest_max;       /* bound of every further part */
	size_t payload_max;
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The shape of a frame of 'type' (0 when the type is unknown). */
static int
shape_of(uint8_t type, int reply, uint8_t status, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	if (reply && status == EB_KF_FAILED) {
		*s = (struct shape){ .min_parts = ERR_PARTS,
		    .max_parts = ERR_PARTS, .fixed = 1, .size = { 8 },
		    .part_max = { 8, 47, 191, 255 }, .rest_max = 0,
		    .payload_max = ERR_PAYLOAD_MAX };
		return type >= EB_KF_READY && type <= EB_KF_OPEN_END;
	}
	switch (type) {
	case EB_KF_READY:
		if (!reply)
			return 0;
		*s = (struct shape){ .payload_max = 0 };
		return 1;
	case EB_KF_SIGN:
		*s = (struct shape){ .min_parts = 1, .max_parts = 1,
		    .part_max = { reply ? EB_KF_SIGN_MAX + EB_KF_SMALL_MAX :
		    EB_KF_SIGN_MAX },
		    .payload_max = 4 + EB_KF_SIGN_MAX +
		    (reply ? EB_KF_SMALL_MAX : 0) };
		return 1;
	case EB_KF_STAMP:
		if (reply)
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .part_max = { EB_KF_SMALL_MAX },
			    .payload_max = 4 + EB_KF_SMALL_MAX };
		else
			*s = (struct shape){ .min_parts = 3, .max_parts = 3,
			    .fixed = 3, .size = { 32, 8, 8 },
			    .part_max = { 32, 8, 8 },
			    .payload_max = 3 * 4 + 48 };
		return 1;
	case EB_KF_OPENING_KEY:
		if (reply)
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .part_max = { OPENING_KEY_XML_MAX },
			    .payload_max = 4 + OPENING_KEY_XML_MAX };
		else
			*s = (struct shape){ .min_parts = 6,
			    .max_parts = EB_KF_PARTS_MAX, .fixed = 4,
			    .size = { 0, 8, 8, 8 },
			    .part_max = { EB_KF_ID_MAX, 8, 8, 8 },
			    .rest_max = EB_KF_SMALL_MAX,
			    .payload_max = EB_KF_PARTS_MAX * 4 + EB_KF_ID_MAX +
			    24 + 16 * (EB_KF_ID_MAX + EB_KF_SMALL_MAX) };
		return 1;
	case EB_KF_OPEN_BEGIN:
		if (reply)
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .fixed = 1, .size = { 8 }, .part_max = { 8 },
			    .payload_max = 12 };
		else
			*s = (struct shape){ .min_parts = 2,
			    .max_parts = 2 + 16, .fixed = 2,
			    .size = { 0, 8 },
			    .part_max = { EB_KF_SMALL_MAX, 8,
			    EB_KF_SMALL_MAX, EB_KF_SMALL_MAX },
			    .rest_max = EB_KF_SMALL_MAX,
			    .payload_max = 18 * 4 + 8 + 17 * EB_KF_SMALL_MAX };
		return 1;
	case EB_KF_OPEN_BID:
		if (reply)
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .part_max = { EB_KF_ENVELOPE_MAX },
			    .payload_max = 4 + EB_KF_ENVELOPE_MAX };
		else
			*s = (struct shape){ .min_parts = 2, .max_parts = 2,
			    .fixed = 1, .size = { 8 },
			    .part_max = { 8, EB_KF_ENVELOPE_MAX },
			    .payload_max = 8 + 8 + EB_KF_ENVELOPE_MAX };
		return 1;
	case EB_KF_OPEN_END:
		if (reply)
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .fixed = 1, .size = { 0 }, .part_max = { 0 },
			    .payload_max = 4 };
		else
			*s = (struct shape){ .min_parts = 1, .max_parts = 1,
			    .fixed = 1, .size = { 8 }, .part_max = { 8 },
			    .payload_max = 12 };
		return 1;
	default:
		return 0;
	}
}

static int
invalid(struct eb_error *err, const char *what)
{
	return eb_fail(err, EB_ERR_FORMAT, "key-frame-invalid",
	    "The key process and the network process disagree: restart ebidd.",
	    "key process frame refused: %s", what);
}

int
eb_kf_header_parse(const uint8_t h[EB_KF_HEADER], int reply,
    struct eb_kf_header *out, struct eb_error *err)
{
	struct shape s;

	memset(out, 0, sizeof(*out));
	if (h[0] != 'E' || h[1] != 'K')
		return invalid(err, "bad magic");
	if (h[3] > (reply ? EB_KF_FAILED : EB_KF_OK))
		return invalid(err, "bad status");
	if (!shape_of(h[2], reply, h[3], &s))
		return invalid(err, "unknown type");
	out->type = h[2];
	out->status = h[3];
	out->len = get32(h + 4);
	if (out->len > s.payload_max)
		return eb_fail(err, EB_ERR_LIMIT, "key-frame-too-large",
		    "The key process and the network process disagree: "
		    "restart ebidd.", "key process frame of type %u: %lu "
		    "bytes (at most %zu)", (unsigned)out->type,
		    (unsigned long)out->len, s.payload_max);
	return EB_OK;
}

void
eb_kf_header_write(uint8_t h[EB_KF_HEADER], uint8_t type, uint8_t status,
    uint32_t len)
{
	h[0] = 'E';
	h[1] = 'K';
	h[2] = type;
	h[3] = status;
	put32(h + 4, len);
}

int
eb_kf_parts(const struct eb_kf_header *h, int reply, const uint8_t *p,
    struct eb_kf_part parts[EB_KF_PARTS_MAX], size_t *n,
    struct eb_error *err)
{
	struct shape s;
	size_t off = 0, i = 0, len;

	*n = 0;
	if (!shape_of(h->type, reply, h->status, &s) ||
	    h->len > s.payload_max)
		return invalid(err, "unknown type or too long");
	while (off < h->len) {
		if (i == s.max_parts || i == EB_KF_PARTS_MAX)
			return invalid(err, "too many parts");
		if (h->len - off < 4)
			return invalid(err, "truncated part length");
		len = get32(p + off);
		off += 4;
		if (len > h->len - off)
			return invalid(err, "part longer than the frame");
		if (i < s.fixed && s.size[i] != 0 && len != s.size[i])
			return invalid(err, "fixed part of the wrong size");
		if (len > (i < 4 ? s.part_max[i] : s.rest_max))
			return invalid(err, "part too long");
		parts[i].p = p + off;
		parts[i].n = len;
		off += len;
		i++;
	}
	if (i < s.min_parts)
		return invalid(err, "too few parts");
	/* the opening key's custodians come in (party, certificate) pairs */
	if (!reply && h->type == EB_KF_OPENING_KEY && (i - 4) % 2 != 0)
		return invalid(err, "a custodian without a certificate");
	*n = i;
	return EB_OK;
}

int
eb_kf_put(struct eb_buf *b, const void *p, size_t n)
{
	uint8_t l[4];
	int rc;

	if (n > UINT32_MAX)
		return EB_ERR_LIMIT;
	put32(l, (uint32_t)n);
	if ((rc = eb_buf_append(b, l, 4)) != EB_OK)
		return rc;
	return n == 0 ? EB_OK : eb_buf_append(b, p, n);
}

int
eb_kf_put_u64(struct eb_buf *b, uint64_t v)
{
	uint8_t x[8];

	put32(x, (uint32_t)(v >> 32));
	put32(x + 4, (uint32_t)v);
	return eb_kf_put(b, x, 8);
}

uint64_t
eb_kf_u64(const struct eb_kf_part *part)
{
	if (part->n != 8)
		return 0;
	return (uint64_t)get32(part->p) << 32 | get32(part->p + 4);
}

static void
copy_text(char *dst, size_t cap, const struct eb_kf_part *part)
{
	size_t n = part->n < cap - 1 ? part->n : cap - 1, i;

	for (i = 0; i < n; i++) {
		unsigned char c = part->p[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[n] = '\0';
}

void
eb_kf_error_parse(const struct eb_kf_part parts[4], struct eb_error *err)
{
	uint64_t code = eb_kf_u64(&parts[0]);

	if (err == NULL)
		return;
	eb_error_clear(err);
	/* the codes are negative (protocol/err.h); the frame carries -code */
	err->code = code > 0 && code < 1000 ? -(int)code : EB_ERR_INTERNAL;
	copy_text(err->reason, sizeof(err->reason), &parts[1]);
	copy_text(err->primary, sizeof(err->primary), &parts[2]);
	copy_text(err->hint, sizeof(err->hint), &parts[3]);
}

int
eb_kf_error_put(struct eb_buf *b, const struct eb_error *e)
{
	int rc;

	if ((rc = eb_kf_put_u64(b, (uint64_t)-(int64_t)(e->code < 0 ?
	    e->code : EB_ERR_INTERNAL))) != EB_OK ||
	    (rc = eb_kf_put(b, e->reason, strnlen(e->reason, 47))) != EB_OK ||
	    (rc = eb_kf_put(b, e->primary, strnlen(e->primary, 191))) !=
	    EB_OK)
		return rc;
	return eb_kf_put(b, e->hint, strnlen(e->hint, 255));
}
