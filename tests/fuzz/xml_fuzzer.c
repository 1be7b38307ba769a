/*
 * tests/fuzz/xml_fuzzer.c
 *    Fuzz target of the XML codec: eb_xml_parse() with the real master
 *    schema (protocol/xsd/ebid.xsd, compiled once from EB_SRC_DIR or
 *    $EBID_SRC) on arbitrary bytes.  A document that parses is written back
 *    with eb_xml_write() (compact and pretty), parsed again without the
 *    schema, and must give an equal tree: the round-trip invariant of
 *    protocol/xml.h.  An error must carry a reason token.
 *
 * Owner: the XML/protocol engineer.  Corpus: tests/fuzz/xml_corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/xml.h"
#include "tests/fuzz/fuzz_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct eb_doc *d, int pretty)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *back = NULL;
	struct eb_error err;
	/* What we wrote may nest as deep as the input did. */
	struct eb_xml_limits lim = { .max_bytes = (size_t)64 << 20,
	    .max_depth = 255, .max_elements = 1000000 };

	if (eb_xml_write(d, pretty, &b) != EB_OK)
		abort();
	if (eb_xml_parse(NULL, &lim, b.data, b.len, &back, &err) != EB_OK ||
	    !eb_doc_equal(d, back))
		abort();
	eb_doc_free(back);
	eb_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_doc *d = NULL;
	struct eb_error err;
	struct eb_xml_limits lim = { .max_bytes = 64 << 10,
	    .max_depth = 32, .max_elements = 10000 };
	int rc;

	rc = eb_xml_parse(fuzz_schema(), &lim, data, size, &d, &err);
	if (rc == EB_OK) {
		if (d == NULL)
			abort();
		round_trip(d, 0);
		round_trip(d, 1);
		eb_doc_free(d);
	} else if (d != NULL || err.reason[0] == '\0') {
		abort();
	}
	return 0;
}
