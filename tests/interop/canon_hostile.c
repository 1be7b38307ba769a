/*
 * tests/interop/canon_hostile.c
 *    Writes ebid's canonical bytes of documents full of hostile text, so
 *    test_c14n.sh can hold them to `xmllint --c14n` (libxml2's command
 *    line, W3C Canonical XML 1.0):
 *      DIR/N.wire.xml   eb_xml_write(): the declaration, then the
 *                       canonical form with xmlns="urn:ebid:1"
 *      DIR/N.canon      eb_doc_serialize(): the hashed form, no namespace
 *      DIR/N.canon.xml  the same with an XML declaration before it
 *
 *    canon_hostile DIR      exit 0 when every file was written
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/doc.h"
#include "protocol/xml.h"

static const char *const hostile[] = {
	"< > & \" ' \t \n \r",
	"a>b", "x\"<&>\n", "R&D <lab>\r\n", "tab\there", "]]>",
	"中文 招标 (肥城市供水管网改造工程)", "𝄞 😀 𠜎 outside the BMP",
	"  leading and trailing  ", "&amp; &lt; already escaped",
	"mixed \r\n < 中 > & 😀 \" ' \t end",
};

static int
put(const char *dir, size_t i, const char *ext, const struct eb_buf *b,
    const char *prefix)
{
	char path[1024];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%zu.%s", dir, i, ext);
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	ok = fputs(prefix, f) >= 0 && fwrite(b->data, 1, b->len, f) == b->len;
	return fclose(f) == 0 && ok;
}

int
main(int argc, char **argv)
{
	size_t n = sizeof(hostile) / sizeof(hostile[0]), i;

	if (argc != 2) {
		fprintf(stderr, "usage: canon_hostile DIR\n");
		return 2;
	}
	eb_xml_init();
	for (i = 0; i < n; i++) {
		struct eb_doc *d = eb_doc_new("entry");
		struct eb_doc *ev = eb_doc_add(d, "events");
		struct eb_buf w = EB_BUF_INIT, c = EB_BUF_INIT;

		eb_doc_set_attr(d, "z-last", hostile[i]);
		eb_doc_set_attr(d, "a-first", hostile[(i + 1) % n]);
		eb_doc_set_attr(d, "party", "bidder1");
		eb_doc_add_text(ev, "reason", hostile[i]);
		eb_doc_set_attr(eb_doc_add(ev, "empty"), "v", hostile[i]);
		eb_doc_add_text(ev, "text", hostile[(i + 2) % n]);
		if (eb_xml_write(d, 0, &w) != EB_OK ||
		    eb_doc_serialize(d, &c) != EB_OK ||
		    !put(argv[1], i, "wire.xml", &w, "") ||
		    !put(argv[1], i, "canon", &c, "") ||
		    !put(argv[1], i, "canon.xml", &c,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")) {
			fprintf(stderr, "canon_hostile: case %zu failed\n", i);
			return 1;
		}
		eb_buf_free(&w);
		eb_buf_free(&c);
		eb_doc_free(d);
	}
	printf("%zu cases written to %s\n", n, argv[1]);
	return 0;
}
