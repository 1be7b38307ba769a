/*
 * protocol/entry.c
 *    Log entries and their canonical bytes: see entry.h.
 */
#include "entry.h"

#include "protocol/isotime.h"

struct eb_doc *
eb_entry_doc(const struct eb_entry *e)
{
	struct eb_doc *d = eb_doc_new("entry");
	char when[EB_ISOTIME_LEN], hex[EB_SHA256_HEX];

	eb_doc_set_attr(d, "aggregate", e->aggregate);
	eb_doc_set_attr(d, "kind", e->kind);
	eb_doc_set_attr_i64(d, "seq", e->seq);
	eb_isotime_format(e->time, when);
	eb_doc_set_attr(d, "time", when);
	eb_doc_set_attr(d, "party", e->actor->party);
	eb_doc_set_attr(d, "role", eb_role_name(e->actor->role));
	eb_doc_set_attr(d, "person", e->actor->person);
	eb_doc_set_attr(d, "clock", e->clock != NULL ? e->clock : "system");
	if (e->rules > 0)
		eb_doc_set_attr_i64(d, "rules", e->rules);
	eb_hex32(e->command_sha256, hex);
	eb_doc_set_attr(d, "command-sha256", hex);
	if (e->has_receipt) {
		eb_hex32(e->receipt_sha256, hex);
		eb_doc_set_attr(d, "receipt-sha256", hex);
	}
	if (e->events != NULL)
		eb_doc_append(d, eb_doc_clone(e->events));
	else
		eb_doc_add(d, "events");
	return d;
}

int
eb_entry_bytes(const struct eb_entry *e, struct eb_buf *out)
{
	struct eb_doc *d = eb_entry_doc(e);
	int rc = eb_doc_serialize(d, out);

	eb_doc_free(d);
	return rc;
}

int
eb_entry_hash(const struct eb_entry *e, const uint8_t prev[EB_SHA256_LEN],
    uint8_t hash[EB_SHA256_LEN])
{
	struct eb_buf b = EB_BUF_INIT;
	int rc;

	if ((rc = eb_entry_bytes(e, &b)) == EB_OK)
		eb_chain_link(prev, e->seq, b.data, b.len, hash);
	eb_buf_free(&b);
	return rc;
}

int
eb_chain_head_text(const char *aggregate, int64_t seq,
    const uint8_t hash[EB_SHA256_LEN], struct eb_buf *out)
{
	char hex[EB_SHA256_HEX];

	eb_hex32(hash, hex);
	return eb_buf_printf(out, "ebid-chain-head:%s:%lld:%s", aggregate,
	    (long long)seq, hex);
}
