/*
 * tests/bench/xml_bench.c
 *    Measures eb_xml_parse() (parse + limits + XSD validation + conversion
 *    to eb_doc) and eb_xml_write() on a bid-like document of about 100 KiB.
 *    Times are CPU time of the thread (CLOCK_THREAD_CPUTIME_ID), so other
 *    load on the shared machine disturbs them less than wall time would.
 *    Not a CTest: run it by hand, e.g.
 *        build/tests/bench/xml_bench [iterations]
 *
 * The document: <bench-bid> with 434 <bench-item> children, each with an
 * eb:id, an eb:fen price, an eb:count quantity and Chinese text, close to
 * the 102,240-byte bid of docs/engineering-notes.md.  Its schema is written
 * to a temporary folder; it defines the types it needs itself, like
 * common.xsd's (the bid family's schema is not this engineer's).
 *
 * Then a 100 KiB text, Chinese first and ASCII after (the opening bench's
 * padded bid): eb_xml_parse, which reads such text in pieces, against
 * libxml2's xmlReadMemory in one call (protocol/xml.c, "in pieces").
 *
 * Owner: the XML/protocol engineer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "protocol/xml.h"

static const char bench_xsd[] =
    "<?xml version=\"1.0\"?>\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"
    "  xmlns:eb=\"urn:ebid:1\" targetNamespace=\"urn:ebid:1\"\n"
    "  elementFormDefault=\"qualified\">\n"
    "  <xs:simpleType name=\"b-id\"><xs:restriction base=\"xs:token\">\n"
    "    <xs:pattern value=\"[A-Za-z0-9._:\\-]{1,64}\"/></xs:restriction>\n"
    "  </xs:simpleType>\n"
    "  <xs:simpleType name=\"b-fen\"><xs:restriction base=\"xs:long\">\n"
    "    <xs:minInclusive value=\"0\"/></xs:restriction></xs:simpleType>\n"
    "  <xs:simpleType name=\"b-instant\"><xs:restriction base=\"xs:dateTime\">\n"
    "    <xs:pattern value=\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z\"/>\n"
    "  </xs:restriction></xs:simpleType>\n"
    "  <xs:element name=\"bench-bid\"><xs:complexType><xs:sequence>\n"
    "    <xs:element name=\"bidder\" type=\"eb:b-id\"/>\n"
    "    <xs:element name=\"bench-item\" maxOccurs=\"10000\">\n"
    "      <xs:complexType><xs:sequence>\n"
    "        <xs:element name=\"name\"><xs:simpleType>\n"
    "          <xs:restriction base=\"xs:string\"><xs:maxLength value=\"200\"/>\n"
    "          </xs:restriction></xs:simpleType></xs:element>\n"
    "        <xs:element name=\"spec\" type=\"xs:string\"/>\n"
    "      </xs:sequence>\n"
    "      <xs:attribute name=\"code\" type=\"eb:b-id\" use=\"required\"/>\n"
    "      <xs:attribute name=\"price\" type=\"eb:b-fen\" use=\"required\"/>\n"
    "      <xs:attribute name=\"quantity\" type=\"xs:unsignedInt\" use=\"required\"/>\n"
    "      </xs:complexType></xs:element>\n"
    "  </xs:sequence>\n"
    "  <xs:attribute name=\"tender\" type=\"eb:b-id\" use=\"required\"/>\n"
    "  <xs:attribute name=\"time\" type=\"eb:b-instant\" use=\"required\"/>\n"
    "  </xs:complexType>\n"
    "    <xs:unique name=\"item-code\"><xs:selector xpath=\"eb:bench-item\"/>\n"
    "      <xs:field xpath=\"@code\"/></xs:unique>\n"
    "  </xs:element>\n"
    "</xs:schema>\n";

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static struct eb_doc *
make_bid(unsigned items)
{
	struct eb_doc *d = eb_doc_new("bench-bid"), *it;
	unsigned i;

	eb_doc_set_attr(d, "tender", "T-2026-001");
	eb_doc_set_attr(d, "time", "2026-11-25T09:30:00.250Z");
	eb_doc_add_text(d, "bidder", "bidder1");
	for (i = 0; i < items; i++) {
		it = eb_doc_add(d, "bench-item");
		eb_doc_set_attrf(it, "code", "I-%05u", i);
		eb_doc_set_attr_i64(it, "price", 1000000 + (int64_t)i * 37);
		eb_doc_set_attr_i64(it, "quantity", (int64_t)(i % 50 + 1));
		eb_doc_add_text(it, "name",
		    "\xe6\xb7\xb7\xe5\x87\x9d\xe5\x9c\x9f C30 concrete & rebar");
		eb_doc_add_text(it, "spec",
		    "GB/T 14902-2012, slump 180mm +/- 20mm, delivered to site "
		    "within 90 minutes of batching; <sampling> per lot");
	}
	return d;
}

/*
 * A 100 KiB text node that starts in Chinese and goes on in ASCII (the
 * opening bench's padded bid): libxml2 2.9 in one call reads everything
 * after the first non-ASCII byte character by character; eb_xml_parse
 * gives it the text in pieces (protocol/xml.c, "in pieces").  Both in the
 * same run, CPU time, no schema.
 */
static int
mixed_text(long iters)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *back = NULL;
	struct eb_error err;
	double t0, t_ours, t_raw;
	xmlDocPtr raw;
	long i;
	int rc = 1;

	if (eb_buf_puts(&b, "<note xmlns=\"urn:ebid:1\">\xe6\x9c\xac\xe6"
	    "\xa0\x87\xe6\xae\xb5\xe4\xb8\xba\xe4\xbe\x9b\xe6\xb0\xb4"
	    "\xe7\xae\xa1\xe7\xbd\x91\xe6\x94\xb9\xe9\x80\xa0\xe3\x80"
	    "\x82") != EB_OK)
		goto out;
	while (b.len < 100 * 1024)
		if (eb_buf_puts(&b, " The pipeline is renewed in sections with "
		    "temporary supply kept for every household.") != EB_OK)
			goto out;
	if (eb_buf_puts(&b, "</note>") != EB_OK)
		goto out;
	t0 = now_us();
	for (i = 0; i < iters; i++) {
		if (eb_xml_parse(NULL, NULL, b.data, b.len, &back, &err) !=
		    EB_OK) {
			fprintf(stderr, "parse: %s: %s\n", err.primary,
			    err.detail);
			goto out;
		}
		eb_doc_free(back);
		back = NULL;
	}
	t_ours = (now_us() - t0) / (double)iters;
	t0 = now_us();
	for (i = 0; i < iters; i++) {
		raw = xmlReadMemory((const char *)b.data, (int)b.len, "b.xml",
		    "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR |
		    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
		if (raw == NULL)
			goto out;
		xmlFreeDoc(raw);
	}
	t_raw = (now_us() - t0) / (double)iters;
	printf("text: %zu bytes, Chinese then ASCII, no schema\n", b.len);
	printf("eb_xml_parse (in pieces):            %8.1f us/doc\n", t_ours);
	printf("  libxml2 xmlReadMemory, one call:   %8.1f us/doc\n", t_raw);
	rc = 0;
out:
	eb_doc_free(back);
	eb_buf_free(&b);
	return rc;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/eb_xml_bench.XXXXXX", path[128];
	struct eb_schema *s = NULL;
	struct eb_doc *d = NULL, *back = NULL;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error err;
	long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
	int i, rc = 1;
	double t0, t_parse, t_noschema, t_write, t_compile, t_raw;
	xmlDocPtr raw;
	FILE *f;

	if (iters <= 0 || iters > 1000000)
		iters = 300;
	eb_xml_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/bench.xsd", dir);
	if ((f = fopen(path, "w")) == NULL)
		goto out;
	fputs(bench_xsd, f);
	fclose(f);
	t0 = now_us();
	s = eb_schema_load(path, &err);
	t_compile = now_us() - t0;
	if (s == NULL) {
		fprintf(stderr, "schema: %s: %s\n", err.primary, err.detail);
		goto out;
	}
	d = make_bid(434);
	if (eb_xml_write(d, 0, &b) != EB_OK)
		goto out;

	t0 = now_us();
	for (i = 0; i < iters; i++) {
		if (eb_xml_parse(s, NULL, b.data, b.len, &back, &err) != EB_OK) {
			fprintf(stderr, "parse: %s: %s\n", err.primary,
			    err.detail);
			goto out;
		}
		eb_doc_free(back);
		back = NULL;
	}
	t_parse = (now_us() - t0) / iters;

	t0 = now_us();
	for (i = 0; i < iters; i++) {
		if (eb_xml_parse(NULL, NULL, b.data, b.len, &back, &err) != EB_OK)
			goto out;
		eb_doc_free(back);
		back = NULL;
	}
	t_noschema = (now_us() - t0) / iters;

	/* Baseline: libxml2 alone building its tree, same options. */
	t0 = now_us();
	for (i = 0; i < iters; i++) {
		raw = xmlReadMemory((const char *)b.data, (int)b.len, "b.xml",
		    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
		    XML_PARSE_NOWARNING);
		if (raw == NULL)
			goto out;
		xmlFreeDoc(raw);
	}
	t_raw = (now_us() - t0) / iters;

	t0 = now_us();
	for (i = 0; i < iters; i++) {
		struct eb_buf w = EB_BUF_INIT;

		if (eb_xml_write(d, 0, &w) != EB_OK)
			goto out;
		eb_buf_free(&w);
	}
	t_write = (now_us() - t0) / iters;

	printf("document: %zu bytes, 434 items, %ld iterations\n", b.len,
	    iters);
	printf("schema compile (once):               %8.1f us\n", t_compile);
	printf("eb_xml_parse with XSD validation:    %8.1f us/doc\n", t_parse);
	printf("eb_xml_parse without schema:         %8.1f us/doc\n", t_noschema);
	printf("  so validation costs about          %8.1f us/doc\n",
	    t_parse - t_noschema);
	printf("  libxml2 xmlReadMemory alone:       %8.1f us/doc\n", t_raw);
	printf("eb_xml_write (compact):              %8.1f us/doc\n", t_write);
	if (mixed_text(iters) != 0)
		goto out;
	rc = 0;
out:
	eb_doc_free(back);
	eb_doc_free(d);
	eb_buf_free(&b);
	eb_schema_free(s);
	unlink(path);
	rmdir(dir);
	return rc;
}
