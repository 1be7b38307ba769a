/*
 * tests/unit/test_xml.c
 *    The XML codec (protocol/xml.c) and the error document
 *    (protocol/errdoc.c): valid documents, every attack of
 *    docs/engineering-notes.md (XML), the limits, namespaces, schema
 *    errors with their line,
 *    the canonical writer and its round trip, and the real master schema
 *    protocol/xsd/ebid.xsd (read from EB_SRC_DIR, or the EBID_SRC
 *    environment variable when set).
 *
 * Owner: the XML/protocol engineer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "protocol/errdoc.h"
#include "protocol/mem.h"
#include "protocol/xml.h"

#ifndef EB_SRC_DIR
#define EB_SRC_DIR "."
#endif

#define NS "xmlns=\"urn:ebid:1\""
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A small schema of our own, written to a temporary folder (two files). */
static const char test_xsd_top[] =
    "<?xml version=\"1.0\"?>\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"
    "  xmlns:eb=\"urn:ebid:1\" targetNamespace=\"urn:ebid:1\"\n"
    "  elementFormDefault=\"qualified\">\n"
    "  <xs:include schemaLocation=\"types.xsd\"/>\n"
    "  <xs:element name=\"offer\">\n"
    "    <xs:complexType><xs:sequence>\n"
    "      <xs:element name=\"title\" type=\"xs:string\"/>\n"
    "      <xs:element name=\"item\" minOccurs=\"0\" maxOccurs=\"1000\">\n"
    "        <xs:complexType><xs:simpleContent>\n"
    "          <xs:extension base=\"xs:string\">\n"
    "            <xs:attribute name=\"price\" type=\"eb:t-fen\" use=\"required\"/>\n"
    "          </xs:extension></xs:simpleContent></xs:complexType>\n"
    "      </xs:element>\n"
    "    </xs:sequence>\n"
    "    <xs:attribute name=\"lot\" type=\"xs:token\" use=\"required\"/>\n"
    "    </xs:complexType>\n"
    "  </xs:element>\n"
    "</xs:schema>\n";

static const char test_xsd_types[] =
    "<?xml version=\"1.0\"?>\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n"
    "  targetNamespace=\"urn:ebid:1\" elementFormDefault=\"qualified\">\n"
    "  <xs:simpleType name=\"t-fen\"><xs:restriction base=\"xs:long\">\n"
    "    <xs:minInclusive value=\"0\"/></xs:restriction></xs:simpleType>\n"
    "</xs:schema>\n";

struct fixture {
	char dir[64];
	char secret[128];
	struct eb_schema *test;     /* the schema above */
	struct eb_schema *master;   /* protocol/xsd/ebid.xsd */
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	static struct fixture fx;
	struct eb_error err;
	char path[256];
	const char *src = getenv("EBID_SRC");

	memset(&fx, 0, sizeof(fx));
	eb_xml_init();
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/eb_test_xml.XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/offer.xsd", fx.dir);
	write_file(path, test_xsd_top);
	snprintf(path, sizeof(path), "%s/types.xsd", fx.dir);
	write_file(path, test_xsd_types);
	snprintf(fx.secret, sizeof(fx.secret), "%s/secret.txt", fx.dir);
	write_file(fx.secret, "TOP-SECRET-CEILING-PRICE\n");

	snprintf(path, sizeof(path), "%s/offer.xsd", fx.dir);
	fx.test = eb_schema_load(path, &err);
	if (fx.test == NULL) {
		fprintf(stderr, "test schema: %s: %s\n", err.primary, err.detail);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/protocol/xsd/ebid.xsd",
	    src != NULL ? src : EB_SRC_DIR);
	eb_xml_lean_schema(1);    /* as ebidd loads it (test_long_schema) */
	fx.master = eb_schema_load(path, &err);
	eb_xml_lean_schema(0);
	if (fx.master == NULL) {
		fprintf(stderr, "master schema: %s: %s\n", err.primary,
		    err.detail);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char path[256];

	eb_schema_free(fx->test);
	eb_schema_free(fx->master);
	snprintf(path, sizeof(path), "%s/offer.xsd", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/types.xsd", fx->dir);
	unlink(path);
	unlink(fx->secret);
	snprintf(path, sizeof(path), "%s/oom.err", fx->dir);
	unlink(path);              /* test_parse_oom's children's stderr */
	rmdir(fx->dir);
	return 0;
}

/* Parse a C string; returns the code and leaves the tree in *out. */
static int
parse(const struct eb_schema *s, const struct eb_xml_limits *lim,
    const char *xml, struct eb_doc **out, struct eb_error *err)
{
	eb_error_clear(err);
	return eb_xml_parse(s, lim, (const uint8_t *)xml, strlen(xml), out,
	    err);
}

static void
expect_refused(const struct eb_schema *s, const struct eb_xml_limits *lim,
    const char *xml, int code, const char *reason, struct eb_error *err)
{
	struct eb_doc *d = (struct eb_doc *)1;

	assert_int_equal(parse(s, lim, xml, &d, err), code);
	assert_null(d);
	assert_int_equal(err->code, code);
	assert_string_equal(err->reason, reason);
	assert_true(err->primary[0] != '\0');
}

/* -- valid documents ---------------------------------------------------- */

static void
test_valid_offer(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL, *c;
	const char *xml =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!-- a comment before the root -->\n"
	    "<offer " NS " lot=\"L1\">\n"
	    "  <title>Road <![CDATA[&]]> bridge<!-- dropped --> works</title>\n"
	    "  <?pi dropped?>\n"
	    "  <item price=\"150000\">cement &amp; sand &#x4e2d;</item>\n"
	    "  <item price=\"0\">  </item>\n"
	    "</offer>\n";

	assert_int_equal(parse(fx->test, NULL, xml, &d, &err), EB_OK);
	assert_non_null(d);
	assert_string_equal(d->name, "offer");
	assert_null(d->text);
	assert_string_equal(eb_doc_attr(d, "lot"), "L1");
	assert_int_equal(eb_doc_count(d, NULL), 3);
	assert_string_equal(eb_doc_child_text(d, "title"),
	    "Road & bridge works");
	c = eb_doc_child(d, "item");
	assert_string_equal(eb_doc_attr(c, "price"), "150000");
	assert_string_equal(eb_doc_text(c), "cement & sand \xe4\xb8\xad");
	c = eb_doc_next(c, "item");
	/* A leaf keeps its whitespace-only text. */
	assert_string_equal(eb_doc_text(c), "  ");
	eb_doc_free(d);
}

static void
test_valid_service_documents(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;

	assert_int_equal(parse(fx->master, NULL,
	    "<whoami " NS " party=\"bidder1\" person=\"p-370\" "
	    "org=\"\xe8\x82\xa5\xe5\x9f\x8e\" name=\"Li Wei\" role=\"bidder\"/>",
	    &d, &err), EB_OK);
	assert_string_equal(d->name, "whoami");
	assert_string_equal(eb_doc_attr(d, "role"), "bidder");
	eb_doc_free(d);

	assert_int_equal(parse(fx->master, NULL,
	    "<health " NS " status=\"ok\" database=\"down\" version=\"0.1.0\"/>",
	    &d, &err), EB_OK);
	eb_doc_free(d);

	/* A prefixed root in our namespace is the same document. */
	assert_int_equal(parse(fx->master, NULL,
	    "<e:accepted xmlns:e=\"urn:ebid:1\" aggregate=\"T-2026-001\" "
	    "seq=\"7\" hash=\"" HASH "\" time=\"2026-11-25T09:30:00.250Z\">"
	    "<e:events><e:deadline-reached at=\"2026-11-25T09:30:00Z\" "
	    "by=\"ebidd\" role=\"system\" bids=\"2\"/><e:tender-cancelled "
	    "at=\"2026-11-25T09:30:00Z\"/></e:events>"
	    "<e:receipt>AAECAw==</e:receipt></e:accepted>", &d, &err), EB_OK);
	assert_string_equal(d->name, "accepted");
	assert_int_equal(eb_doc_count(eb_doc_child(d, "events"), NULL), 2);
	assert_string_equal(eb_doc_child_text(d, "receipt"), "AAECAw==");
	eb_doc_free(d);

	/* <events> is closed (events.xsd): an undeclared event is refused */
	expect_refused(fx->master, NULL, "<accepted " NS " aggregate=\"T-1\" "
	    "seq=\"1\" hash=\"" HASH "\" time=\"2026-11-25T09:30:00Z\">"
	    "<events><anything-else x=\"1\"/></events></accepted>",
	    EB_ERR_FORMAT, "schema-invalid", &err);
}

static void
test_common_types(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;
	char xml[512];
	static const struct {
		const char *agg, *seq, *hash, *time;
		int ok;
	} cases[] = {
		{ "T-1", "0", HASH, "2026-11-25T09:30:00Z", 1 },
		{ "T-1", "18446744073709551615", HASH, "2026-11-25T09:30:00.1Z", 1 },
		/* instant: offset, four fraction digits, month 13 */
		{ "T-1", "1", HASH, "2026-11-25T09:30:00+08:00", 0 },
		{ "T-1", "1", HASH, "2026-11-25T09:30:00.1234Z", 0 },
		{ "T-1", "1", HASH, "2026-13-25T09:30:00Z", 0 },
		/* sha256: upper case, 63 digits */
		{ "T-1", "1", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		  "2026-11-25T09:30:00Z", 0 },
		{ "T-1", "1", "123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "2026-11-25T09:30:00Z", 0 },
		/* id: a slash, 65 characters, 64 characters */
		{ "T/1", "1", HASH, "2026-11-25T09:30:00Z", 0 },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "1", HASH, "2026-11-25T09:30:00Z", 0 },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "1", HASH, "2026-11-25T09:30:00Z", 1 },
		/* id: surrounding or inner space (the tree keeps it as sent) */
		{ " T-1", "1", HASH, "2026-11-25T09:30:00Z", 0 },
		{ "T 1", "1", HASH, "2026-11-25T09:30:00Z", 0 },
		/* seq: negative */
		{ "T-1", "-1", HASH, "2026-11-25T09:30:00Z", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<accepted " NS " aggregate=\"%s\" "
		    "seq=\"%s\" hash=\"%s\" time=\"%s\"/>", cases[i].agg,
		    cases[i].seq, cases[i].hash, cases[i].time);
		d = NULL;
		if (cases[i].ok) {
			assert_int_equal(parse(fx->master, NULL, xml, &d, &err),
			    EB_OK);
			eb_doc_free(d);
		} else {
			expect_refused(fx->master, NULL, xml, EB_ERR_FORMAT,
			    "schema-invalid", &err);
		}
	}
	expect_refused(fx->master, NULL, "<whoami " NS " party=\"a\" "
	    "person=\"b\" org=\"\" name=\"\" role=\" bidder\"/>",
	    EB_ERR_FORMAT, "schema-invalid", &err);
	/* eb:role: "none" is not a role on the wire. */
	expect_refused(fx->master, NULL, "<whoami " NS " party=\"a\" "
	    "person=\"b\" org=\"\" name=\"\" role=\"none\"/>", EB_ERR_FORMAT,
	    "schema-invalid", &err);
}

/* -- the attacks of docs/engineering-notes.md, XML ----------------------- */

static void
test_xxe_refused(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	char xml[512];

	snprintf(xml, sizeof(xml),
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE offer [<!ENTITY x SYSTEM \"file://%s\">]>\n"
	    "<offer " NS " lot=\"L1\"><title>&x;</title></offer>", fx->secret);
	expect_refused(fx->test, NULL, xml, EB_ERR_FORMAT, "dtd-not-allowed",
	    &err);
	assert_null(strstr(err.detail, "TOP-SECRET"));
	assert_non_null(strstr(err.detail, "line 2"));
	/* Without a schema the DOCTYPE is refused all the same. */
	expect_refused(NULL, NULL, xml, EB_ERR_FORMAT, "dtd-not-allowed", &err);
	/* Parameter entity form. */
	snprintf(xml, sizeof(xml),
	    "<!DOCTYPE offer [<!ENTITY %% p SYSTEM \"%s\"> %%p;]>"
	    "<offer " NS " lot=\"L1\"><title>t</title></offer>", fx->secret);
	expect_refused(NULL, NULL, xml, EB_ERR_FORMAT, "dtd-not-allowed", &err);
	/* An entity reference without any DTD is simply not well-formed. */
	expect_refused(NULL, NULL, "<offer " NS " lot=\"L1\">&x;</offer>",
	    EB_ERR_FORMAT, "malformed", &err);
}

static void
test_loader_denies_files_and_urls(void **state)
{
	struct fixture *fx = *state;
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlParserInputPtr in;
	char url[256];

	assert_non_null(ctxt);
	/* The process-wide loader refuses our own secret, by path and URL. */
	in = xmlLoadExternalEntity(fx->secret, NULL, ctxt);
	assert_null(in);
	snprintf(url, sizeof(url), "file://%s", fx->secret);
	in = xmlLoadExternalEntity(url, NULL, ctxt);
	assert_null(in);
	/* ... and the schema files too, outside eb_schema_load(). */
	snprintf(url, sizeof(url), "%s/types.xsd", fx->dir);
	in = xmlLoadExternalEntity(url, NULL, ctxt);
	assert_null(in);
	in = xmlLoadExternalEntity("http://127.0.0.1:9/evil.dtd", NULL, ctxt);
	assert_null(in);
	xmlFreeParserCtxt(ctxt);
}

static void
test_billion_laughs_refused(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	const char *xml =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE offer [\n"
	    " <!ENTITY a \"lol\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
	    " <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n"
	    " <!ENTITY j \"&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;\">\n"
	    "]>\n"
	    "<offer " NS " lot=\"L1\"><title>&j;</title></offer>";

	expect_refused(fx->test, NULL, xml, EB_ERR_FORMAT, "dtd-not-allowed",
	    &err);
}

static void
test_external_dtd_refused(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;

	expect_refused(fx->test, NULL,
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE offer SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n"
	    "<offer " NS " lot=\"L1\"><title>t</title></offer>",
	    EB_ERR_FORMAT, "dtd-not-allowed", &err);
	/* Even a bare DOCTYPE with nothing in it. */
	expect_refused(fx->test, NULL,
	    "<!DOCTYPE offer><offer " NS " lot=\"L1\"><title>t</title></offer>",
	    EB_ERR_FORMAT, "dtd-not-allowed", &err);
	expect_refused(fx->test, NULL,
	    "<!DOCTYPE offer PUBLIC \"-//x//y\" \"file:///etc/passwd\">"
	    "<offer " NS " lot=\"L1\"><title>t</title></offer>",
	    EB_ERR_FORMAT, "dtd-not-allowed", &err);
}

static char *
nested(unsigned levels)
{
	size_t cap = (size_t)levels * 16 + 64, o = 0;
	char *s = malloc(cap);
	unsigned i;

	assert_non_null(s);
	o += (size_t)snprintf(s + o, cap - o, "<a " NS ">");
	for (i = 1; i < levels; i++)
		o += (size_t)snprintf(s + o, cap - o, "<a>");
	for (i = 0; i < levels; i++)
		o += (size_t)snprintf(s + o, cap - o, "</a>");
	return s;
}

static void
test_depth_limit(void **state)
{
	struct eb_error err;
	struct eb_doc *d = NULL, *c;
	struct eb_xml_limits lim = { .max_bytes = 0,
	    .max_depth = 1000, .max_elements = 0 };
	char *x300 = nested(300), *x32 = nested(32), *x33 = nested(33);
	unsigned n = 0;

	(void)state;
	expect_refused(NULL, NULL, x300, EB_ERR_LIMIT, "too-deep", &err);
	assert_non_null(strstr(err.detail, "depth 33"));
	/* A limit above libxml2's own is capped, still our reason. */
	expect_refused(NULL, &lim, x300, EB_ERR_LIMIT, "too-deep", &err);
	assert_non_null(strstr(err.detail, "depth 256"));
	expect_refused(NULL, NULL, x33, EB_ERR_LIMIT, "too-deep", &err);
	assert_int_equal(parse(NULL, NULL, x32, &d, &err), EB_OK);
	for (c = d; c != NULL; c = c->first)
		n++;
	assert_int_equal(n, 32);
	eb_doc_free(d);
	free(x300);
	free(x32);
	free(x33);
}

static void
test_size_limits(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;
	const char *xml = "<offer " NS " lot=\"L1\"><title>t</title></offer>";
	struct eb_xml_limits lim = { .max_bytes = 0,
	    .max_depth = 0, .max_elements = 0 };
	size_t big = (size_t)11 << 20;
	char *huge = malloc(big + 64);
	int n;

	/* Exactly at the byte limit passes, one byte over does not. */
	lim.max_bytes = strlen(xml);
	assert_int_equal(parse(fx->test, &lim, xml, &d, &err), EB_OK);
	eb_doc_free(d);
	lim.max_bytes = strlen(xml) - 1;
	expect_refused(fx->test, &lim, xml, EB_ERR_LIMIT, "document-too-large",
	    &err);

	/* An 11 MB text node: refused by size before libxml2 runs. */
	assert_non_null(huge);
	n = snprintf(huge, 64, "<offer " NS " lot=\"L1\"><title>");
	memset(huge + n, 'x', big);
	snprintf(huge + n + big, 64 - (size_t)n, "</title></offer>");
	expect_refused(fx->test, NULL, huge, EB_ERR_LIMIT,
	    "document-too-large", &err);
	/* With a byte limit raised above it, libxml2's own text cap (10 MB
	 * without XML_PARSE_HUGE, which we never set) refuses it. */
	lim.max_bytes = (size_t)16 << 20;
	expect_refused(fx->test, &lim, huge, EB_ERR_FORMAT, "malformed", &err);
	assert_non_null(strstr(err.detail, "Huge input lookup"));
	free(huge);
}

static void
test_element_limit(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;
	struct eb_xml_limits lim = { .max_bytes = 0,
	    .max_depth = 0, .max_elements = 4 };
	const char *four = "<offer " NS " lot=\"L1\"><title>t</title>"
	    "<item price=\"1\">a</item><item price=\"2\">b</item></offer>";
	const char *five = "<offer " NS " lot=\"L1\"><title>t</title>"
	    "<item price=\"1\">a</item><item price=\"2\">b</item>\n"
	    "<item price=\"3\">c</item></offer>";

	assert_int_equal(parse(fx->test, &lim, four, &d, &err), EB_OK);
	eb_doc_free(d);
	expect_refused(fx->test, &lim, five, EB_ERR_LIMIT, "too-many-elements",
	    &err);
	assert_non_null(strstr(err.detail, "line 2"));
}

/* -- the pre-scan (attacks of issue 20, point 2) ---------------------------- */

/* <offer xmlns=.. lot="L1" a0="1" .. a{n-1}="1"><title>t</title></offer> */
static char *
many_attrs(unsigned n, const char *extra_ns, unsigned nns)
{
	size_t cap = 128 + (size_t)n * 16 + (size_t)nns * 32;
	char *s = malloc(cap);
	size_t o;
	unsigned i;

	assert_non_null(s);
	o = (size_t)snprintf(s, cap, "<offer %s lot=\"L1\"", NS);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap - o, " a%u='1'", i);
	for (i = 0; i < nns; i++)
		o += (size_t)snprintf(s + o, cap - o, " xmlns:%s%u=\"urn:x\"",
		    extra_ns, i);
	snprintf(s + o, cap - o, "><title>t</title></offer>");
	return s;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
test_prescan_attributes(void **state)
{
	struct eb_error err;
	struct eb_doc *d = NULL;
	struct timespec t0;
	char *ok63 = many_attrs(63, "", 0), *over = many_attrs(64, "", 0);
	char *huge = many_attrs(40000, "", 0);

	(void)state;
	/* lot + 63 = 64 attributes: the default limit, parsed (no schema). */
	assert_int_equal(parse(NULL, NULL, ok63, &d, &err), EB_OK);
	eb_doc_free(d);
	expect_refused(NULL, NULL, over, EB_ERR_LIMIT, "too-many-attributes",
	    &err);
	assert_non_null(strstr(err.detail, "element 'offer'"));
	assert_int_equal(eb_xml_prescan(NULL, (const uint8_t *)over,
	    strlen(over), &err), EB_ERR_LIMIT);
	/* 40,000 attributes took libxml2 16 s; refused before it runs. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_refused(NULL, NULL, huge, EB_ERR_LIMIT, "too-many-attributes",
	    &err);
	assert_true(ms_since(&t0) < 50.0);
	/* '>' and '=' inside a quoted value are not markup. */
	assert_int_equal(parse(NULL, NULL, "<offer " NS " lot='a>=b' "
	    "x=\"=>'\"><title>t</title></offer>", &d, &err), EB_OK);
	assert_string_equal(eb_doc_attr(d, "lot"), "a>=b");
	eb_doc_free(d);
	free(ok63);
	free(over);
	free(huge);
}

static void
test_prescan_namespaces(void **state)
{
	struct eb_error err;
	struct eb_doc *d = NULL;
	char *ok = many_attrs(0, "p", 15), *over = many_attrs(0, "p", 16);
	char *huge = many_attrs(0, "p", 100000);

	(void)state;
	/* xmlns + 15 prefixes = 16 declarations: the limit. */
	assert_int_equal(parse(NULL, NULL, ok, &d, &err), EB_OK);
	eb_doc_free(d);
	expect_refused(NULL, NULL, over, EB_ERR_LIMIT, "too-many-namespaces",
	    &err);
	expect_refused(NULL, NULL, huge, EB_ERR_LIMIT, "too-many-namespaces",
	    &err);
	/* Declarations on child elements count too (the whole document). */
	expect_refused(NULL, &(struct eb_xml_limits){ .max_namespaces = 2 },
	    "<offer " NS " lot='1'><title xmlns:a='urn:a'>t</title>"
	    "<item xmlns:b='urn:b' price='1'/></offer>", EB_ERR_LIMIT,
	    "too-many-namespaces", &err);
	/* An attribute merely starting with xmlns... is an attribute. */
	expect_refused(NULL, &(struct eb_xml_limits){ .max_attributes = 1 },
	    "<offer " NS " lot='1' xmlnsfoo='2'/>", EB_ERR_LIMIT,
	    "too-many-attributes", &err);
	free(ok);
	free(over);
	free(huge);
}

static void
test_prescan_nodes_and_text(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;
	struct eb_xml_limits lim = { .max_nodes = 6 };
	struct eb_xml_limits tl = { .max_text = 8 };
	const char *six = "<offer " NS " lot=\"L1\"><title>t</title>"
	    "<item price=\"1\">a</item></offer>";  /* 3 el, 3 attr, 2 texts */
	size_t n = 200000, i;
	char *cmts = malloc(n * 7 + 64);
	size_t o;

	/* elements + attributes + xmlns + text runs: 3 + 2 + 1 + 2 = 8 */
	lim.max_nodes = 8;
	assert_int_equal(parse(fx->test, &lim, six, &d, &err), EB_OK);
	eb_doc_free(d);
	lim.max_nodes = 7;
	expect_refused(fx->test, &lim, six, EB_ERR_LIMIT, "too-many-nodes",
	    &err);
	/* Comments and PIs count as elements (they become tree nodes). */
	assert_non_null(cmts);
	o = (size_t)snprintf(cmts, 64, "<offer %s lot='1'>", NS);
	for (i = 0; i < n; i++, o += 7)
		memcpy(cmts + o, "<!---->", 7);
	snprintf(cmts + o, 64, "<title>t</title></offer>");
	expect_refused(fx->test, NULL, cmts, EB_ERR_LIMIT, "too-many-elements",
	    &err);
	free(cmts);
	/* One text run, attribute value, comment or CDATA longer than
	 * max_text. */
	assert_int_equal(parse(fx->test, &tl, "<offer " NS " lot='12345678'>"
	    "<title>12345678</title></offer>", &d, &err), EB_ERR_LIMIT);
	assert_string_equal(err.reason, "text-too-long");  /* the xmlns URI */
	tl.max_text = 10;
	assert_int_equal(parse(fx->test, &tl, "<offer " NS " lot='12345678'>"
	    "<title>12345678</title></offer>", &d, &err), EB_OK);
	eb_doc_free(d);
	expect_refused(fx->test, &tl, "<offer " NS " lot='12345678901'>"
	    "<title>t</title></offer>", EB_ERR_LIMIT, "text-too-long", &err);
	expect_refused(fx->test, &tl, "<offer " NS " lot='1'>"
	    "<title>12345678901</title></offer>", EB_ERR_LIMIT,
	    "text-too-long", &err);
	expect_refused(fx->test, &tl, "<offer " NS " lot='1'>"
	    "<title><![CDATA[12345678]]></title></offer>", EB_ERR_LIMIT,
	    "text-too-long", &err);
	expect_refused(fx->test, &tl, "<offer " NS " lot='1'><!-- 12345678 -->"
	    "<title>t</title></offer>", EB_ERR_LIMIT, "text-too-long", &err);
	/* Depth is refused by the pre-scan as by the parser. */
	expect_refused(fx->test, &(struct eb_xml_limits){ .max_depth = 1 },
	    "<offer " NS " lot='1'><title>t</title></offer>", EB_ERR_LIMIT,
	    "too-deep", &err);
	/* DOCTYPE before libxml2 runs. */
	expect_refused(fx->test, NULL, "<!DOCTYPE offer [<!ENTITY a 'b'>]>"
	    "<offer " NS " lot='1'/>", EB_ERR_FORMAT, "dtd-not-allowed", &err);
	/* Unterminated constructs are left to libxml2: malformed. */
	expect_refused(fx->test, NULL, "<offer " NS " lot='1'><!-- x",
	    EB_ERR_FORMAT, "malformed", &err);
	expect_refused(fx->test, NULL, "<offer " NS " lot='1",
	    EB_ERR_FORMAT, "malformed", &err);
}

static void
test_malformed(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;

	expect_refused(fx->test, NULL,
	    "<offer " NS " lot=\"L1\">\n<title>t</item></offer>",
	    EB_ERR_FORMAT, "malformed", &err);
	assert_non_null(strstr(err.detail, "line 2"));
	assert_non_null(strstr(err.detail, "mismatch"));
	expect_refused(fx->test, NULL, "", EB_ERR_FORMAT, "malformed", &err);
	expect_refused(fx->test, NULL, "<offer " NS " lot=\"L1\"><title>t",
	    EB_ERR_FORMAT, "malformed", &err);
	expect_refused(fx->test, NULL, "<offer " NS " lot=\"L1\"/><x/>",
	    EB_ERR_FORMAT, "malformed", &err);
	expect_refused(NULL, NULL, "<a " NS ">\xff\xfe</a>", EB_ERR_FORMAT,
	    "malformed", &err);
	/* The wire is UTF-8: GBK bytes (\xd6\xd0 is "zhong") are malformed
	 * whatever the declaration says. */
	expect_refused(NULL, NULL, "<?xml version=\"1.0\" encoding=\"GBK\"?>"
	    "<a " NS ">\xd6\xd0</a>", EB_ERR_FORMAT, "malformed", &err);
}

/*
 * Out of memory inside libxml2 (protocol/mem.h policy, xml.c routes
 * libxml2's allocator through it): with the N-th allocation failing, for
 * every N until the parse needs no more, the parse either succeeds or
 * aborts with the "out of memory" report; it never answers "malformed" or
 * "schema-invalid", which would blame the sender.  Each N runs in a child
 * (the abort is the expected end).
 */
static void
test_parse_oom(void **state)
{
	struct fixture *fx = *state;
	const char *xml = "<offer " NS " lot=\"L1\"><title>\xe5\x9c\x9f\xe5"
	    "\x9c\xb0 land</title><item price=\"1250\">a</item>"
	    "<item price=\"3\">b</item></offer>";
	char path[96];
	int parsed = 0, aborted = 0, n;

	snprintf(path, sizeof(path), "%s/oom.err", fx->dir);
	for (n = 0; n < 4000 && parsed == 0; n++) {
		pid_t pid;
		int st;
		FILE *f;
		char line[1024] = "";

		if ((pid = fork()) == 0) {
			struct eb_doc *d = NULL;
			struct eb_error err;
			int rc, fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
			    0600);

			/* cmocka catches SIGABRT: the child must die of it */
			signal(SIGABRT, SIG_DFL);
			if (fd < 0 || dup2(fd, 2) < 0)
				_exit(9);
			eb_mem_fail_after(n);
			rc = eb_xml_parse(fx->test, NULL, (const uint8_t *)
			    xml, strlen(xml), &d, &err);
			eb_mem_fail_after(-1);
			if (rc != EB_OK) {
				fprintf(stderr, "refused %s: %s\n", err.reason,
				    err.detail);
				_exit(3);
			}
			eb_doc_free(d);
			_exit(0);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if ((f = fopen(path, "r")) != NULL) {
			/* libxml2 may print its own lines first */
			line[fread(line, 1, sizeof(line) - 1, f)] = '\0';
			fclose(f);
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			parsed = 1;
			continue;
		}
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
			fail_msg("allocation %d failing: not an abort (%s)", n,
			    line);
		if (strstr(line, "ebid: out of memory") == NULL)
			fail_msg("allocation %d failing: aborted with \"%s\"",
			    n, line);
		aborted++;
	}
	assert_true(parsed);           /* the budget grew enough at last */
	print_message("parse_oom: %d allocations failed in turn\n", aborted);
	/* most of them are libxml2's: ebid's own tree of these four
	 * elements takes about twenty */
	assert_true(aborted > 60);
	{
		xmlFreeFunc f;
		xmlMallocFunc m;
		xmlReallocFunc r;
		xmlStrdupFunc d;

		assert_int_equal(xmlMemGet(&f, &m, &r, &d), 0);
		assert_true(m != (xmlMallocFunc)malloc);
		assert_true(r != (xmlReallocFunc)realloc);
	}
}

/* -- namespaces, schema, structure ---------------------------------------- */

static void
test_wrong_namespace(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;

	expect_refused(fx->master, NULL, "<health status=\"ok\" "
	    "database=\"ok\" version=\"1\"/>", EB_ERR_FORMAT,
	    "wrong-namespace", &err);
	assert_non_null(strstr(err.detail, "(none)"));
	expect_refused(fx->master, NULL, "<health xmlns=\"urn:ebid:2\" "
	    "status=\"ok\" database=\"ok\" version=\"1\"/>", EB_ERR_FORMAT,
	    "wrong-namespace", &err);
	assert_non_null(strstr(err.detail, "urn:ebid:2"));
	/* A child in another namespace, even without a schema. */
	expect_refused(NULL, NULL, "<a " NS "><b xmlns=\"urn:x\"/></a>",
	    EB_ERR_FORMAT, "wrong-namespace", &err);
	/* ... or in none. */
	expect_refused(NULL, NULL, "<e:a xmlns:e=\"urn:ebid:1\"><b/></e:a>",
	    EB_ERR_FORMAT, "wrong-namespace", &err);
}

static void
test_schema_invalid_line(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;

	expect_refused(fx->master, NULL,
	    "<?xml version=\"1.0\"?>\n"
	    "<whoami " NS "\n"
	    "  party=\"bidder1\" person=\"p1\" org=\"o\" name=\"n\"\n"
	    "  role=\"emperor\"/>", EB_ERR_FORMAT, "schema-invalid", &err);
	/* libxml2 numbers an element by the line where its start tag ends. */
	assert_true(strncmp(err.detail, "line 4: ", 8) == 0);
	assert_non_null(strstr(err.detail, "role"));
	assert_non_null(strstr(err.detail, "emperor"));

	expect_refused(fx->test, NULL,
	    "<offer " NS " lot=\"L1\">\n"
	    "  <title>t</title>\n"
	    "  <item price=\"1\">a</item>\n"
	    "  <item price=\"-5\">b</item>\n"
	    "</offer>", EB_ERR_FORMAT, "schema-invalid", &err);
	assert_true(strncmp(err.detail, "line 4: ", 8) == 0);
	assert_non_null(strstr(err.detail, "-5"));

	/* An element the schema does not know. */
	expect_refused(fx->master, NULL, "<nonsense " NS "/>", EB_ERR_FORMAT,
	    "schema-invalid", &err);
	assert_true(strncmp(err.detail, "line 1: ", 8) == 0);
}

static void
test_structure_rules(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL;

	/* Text beside child elements (a log's events are skipped by the
	 * schema: the parser's own rule must catch it). */
	expect_refused(fx->master, NULL, "<log " NS " aggregate=\"T-1\" "
	    "kind=\"tender\"><entry seq=\"1\" time=\"t\" party=\"p\" "
	    "role=\"r\" person=\"q\" clock=\"c\" prev-hash=\"h\" "
	    "hash=\"h\"><command>AA==</command><events><foo>x<bar/></foo>"
	    "</events></entry></log>", EB_ERR_FORMAT, "mixed-content", &err);
	expect_refused(NULL, NULL, "<a " NS ">x<b/></a>", EB_ERR_FORMAT,
	    "mixed-content", &err);
	expect_refused(NULL, NULL, "<a " NS "><b/>y</a>", EB_ERR_FORMAT,
	    "mixed-content", &err);
	/* Namespaced attributes, including xml:lang. */
	expect_refused(NULL, NULL, "<a " NS " xmlns:q=\"urn:q\" q:x=\"1\"/>",
	    EB_ERR_FORMAT, "namespaced-attribute", &err);
	expect_refused(NULL, NULL, "<a " NS " xml:lang=\"zh\"/>",
	    EB_ERR_FORMAT, "namespaced-attribute", &err);
	/* Names we could not write back: a broken QName (found by the
	 * fuzzer), an attribute starting with "xml", a non-ASCII name. */
	expect_refused(NULL, NULL, "<a " NS "><b :x=\"0\"/></a>",
	    EB_ERR_FORMAT, "malformed", &err);
	expect_refused(NULL, NULL, "<a " NS " xmlfoo=\"1\"/>",
	    EB_ERR_FORMAT, "unsupported-name", &err);
	expect_refused(NULL, NULL, "<a " NS "><\xe5\x90\x8d/></a>",
	    EB_ERR_FORMAT, "unsupported-name", &err);
	/* Whitespace between elements is dropped, unused declarations too. */
	assert_int_equal(parse(NULL, NULL, "<a " NS " xmlns:q=\"urn:q\">\n "
	    "<b>1</b>\n\t<!-- c --><c/>\r\n</a>", &d, &err), EB_OK);
	assert_null(d->text);
	assert_int_equal(eb_doc_count(d, NULL), 2);
	assert_null(eb_doc_child(d, "c")->text);
	eb_doc_free(d);
}

static void
count_errors(void *ctx, xmlErrorPtr e)
{
	(void)e;
	(*(int *)ctx)++;
}

static void
test_handler_restored(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	const char *bad = "<a><b></a>";
	xmlDocPtr doc;
	int calls = 0;

	/* A handler someone else installed on this thread stays in force and
	 * is not called for our documents' errors. */
	xmlSetStructuredErrorFunc(&calls, count_errors);
	expect_refused(fx->test, NULL, "<offer " NS "><title>t</x></offer>",
	    EB_ERR_FORMAT, "malformed", &err);
	assert_ptr_equal(xmlStructuredErrorContext, &calls);
	assert_true(xmlStructuredError == count_errors);
	expect_refused(fx->test, NULL, "<offer " NS "/>", EB_ERR_FORMAT,
	    "schema-invalid", &err);
	assert_int_equal(calls, 0);
	/* The handler is live: a plain libxml2 call reaches it. */
	doc = xmlReadMemory(bad, (int)strlen(bad), "x.xml", NULL,
	    XML_PARSE_NONET);
	assert_null(doc);
	assert_true(calls > 0);
	xmlSetStructuredErrorFunc(NULL, NULL);
}

static void
test_schema_load_errors(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	char path[256], sub[128], outside[256];

	eb_error_clear(&err);
	assert_null(eb_schema_load("/nonexistent/ebid.xsd", &err));
	assert_int_equal(err.code, EB_ERR_IO);
	assert_string_equal(err.reason, "schema-not-found");

	/* An include that leaves the schema folder is not read. */
	snprintf(sub, sizeof(sub), "%s/sub", fx->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/top.xsd", sub);
	write_file(path,
	    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
	    "targetNamespace=\"urn:ebid:1\">"
	    "<xs:include schemaLocation=\"../types.xsd\"/></xs:schema>");
	eb_error_clear(&err);
	assert_null(eb_schema_load(path, &err));
	assert_int_equal(err.code, EB_ERR_FORMAT);
	assert_string_equal(err.reason, "schema-compile-failed");
	assert_non_null(strstr(err.detail, "types.xsd"));
	unlink(path);

	/* A schema that is not valid XSD. */
	write_file(path,
	    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
	    "<xs:element name=\"a\" type=\"xs:nosuchtype\"/></xs:schema>");
	eb_error_clear(&err);
	assert_null(eb_schema_load(path, &err));
	assert_string_equal(err.reason, "schema-compile-failed");
	assert_non_null(strstr(err.detail, "nosuchtype"));
	unlink(path);
	snprintf(outside, sizeof(outside), "%s", sub);
	rmdir(outside);
	eb_schema_free(NULL);
}

/* -- writing and round trip ------------------------------------------------- */

static const char cn_name[] =
    "\xe8\x82\xa5\xe5\x9f\x8e\xe5\xb8\x82\xe5\x85\xac\xe5\x85\xb1\xe8\xb5\x84"
    "\xe6\xba\x90\xe4\xba\xa4\xe6\x98\x93\xe4\xb8\xad\xe5\xbf\x83";

static struct eb_doc *
sample_tree(void)
{
	struct eb_doc *d = eb_doc_new("offer"), *c;

	eb_doc_set_attr(d, "lot", "L1");
	eb_doc_set_attr(d, "agency", cn_name);
	eb_doc_set_attr(d, "note", "a\"b<c>&d\te\nf\rg 'h'");
	eb_doc_add_text(d, "title", cn_name);
	c = eb_doc_add_text(d, "item", "R&D <lab> ]]> \"q\"\r\nline\ttab");
	eb_doc_set_attr(c, "price", "150000");
	eb_doc_add(d, "empty");
	c = eb_doc_add(d, "group");
	eb_doc_add_text(c, "leaf", "  spaced  ");
	eb_doc_add_text(eb_doc_add(c, "deeper"), "x", "\xf0\x9f\x98\x80");
	return d;
}

static void
test_write_exact(void **state)
{
	struct eb_doc *d = eb_doc_new("health"), *c;
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	eb_doc_set_attr(d, "version", "0.1");
	eb_doc_set_attr(d, "status", "ok");
	c = eb_doc_add(d, "x");
	eb_doc_add_text(c, "y", "a<b");
	eb_doc_add(d, "z");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_OK);
	assert_string_equal(eb_buf_str(&b),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<health xmlns=\"urn:ebid:1\" status=\"ok\" version=\"0.1\">"
	    "<x><y>a&lt;b</y></x><z></z></health>");
	eb_buf_reset(&b);
	assert_int_equal(eb_xml_write(d, 1, &b), EB_OK);
	assert_string_equal(eb_buf_str(&b),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<health xmlns=\"urn:ebid:1\" status=\"ok\" version=\"0.1\">\n"
	    "  <x>\n"
	    "    <y>a&lt;b</y>\n"
	    "  </x>\n"
	    "  <z></z>\n"
	    "</health>\n");
	eb_buf_free(&b);
	eb_doc_free(d);
}

static void
test_round_trip(void **state)
{
	struct eb_doc *d = sample_tree(), *back = NULL;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error err;
	int pretty;

	(void)state;
	for (pretty = 0; pretty <= 1; pretty++) {
		eb_buf_reset(&b);
		assert_int_equal(eb_xml_write(d, pretty, &b), EB_OK);
		back = NULL;
		assert_int_equal(eb_xml_parse(NULL, NULL, b.data, b.len, &back,
		    &err), EB_OK);
		assert_true(eb_doc_equal(d, back));
		assert_string_equal(eb_doc_attr(back, "note"),
		    "a\"b<c>&d\te\nf\rg 'h'");
		assert_string_equal(eb_doc_child_text(back, "title"), cn_name);
		assert_string_equal(eb_doc_child_text(back, "item"),
		    "R&D <lab> ]]> \"q\"\r\nline\ttab");
		assert_string_equal(eb_doc_text(eb_doc_path(back,
		    "group/leaf")), "  spaced  ");
		eb_doc_free(back);
	}
	/* The Chinese text crosses the wire as raw UTF-8, not as references. */
	assert_non_null(strstr(eb_buf_str(&b), cn_name));
	eb_buf_free(&b);
	eb_doc_free(d);
}

/*
 * Long texts are taken from libxml2's tree instead of copied (xml.c,
 * set_text_from): each length around the threshold, ASCII and with a
 * non-ASCII start (the parser's pieces), with character references and
 * as CDATA, beside a short text; the trees equal the written ones and
 * are freed once (a double free aborts in glibc's checks).
 */
/*
 * A bid as the opening bench makes it ('tech' characters of <technical>,
 * ASCII after a Chinese start; 'price' the <total-price> text, 'days' the
 * <completion-days> text) written to 'out'.
 */
static void
make_long_bid(const struct eb_schema *master, size_t tech, const char *price,
    const char *days, struct eb_buf *out)
{
	struct eb_buf b = EB_BUF_INIT, t = EB_BUF_INIT;
	struct eb_doc *d = NULL;
	struct eb_error err;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(EB_SRC_DIR "/tests/data/bids/bid-1-quancheng.xml",
	    "rb");

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(eb_buf_append(&b, chunk, n), EB_OK);
	fclose(f);
	assert_int_equal(eb_xml_parse(master, NULL, b.data, b.len, &d, &err),
	    EB_OK);
	/* 6 characters of 3 bytes each, then ASCII to 'tech' characters */
	assert_int_equal(eb_buf_puts(&t, "\xe6\x96\xbd\xe5\xb7\xa5\xe7\xbb"
	    "\x84\xe7\xbb\x87\xe8\xae\xbe\xe8\xae\xa1"), EB_OK);
	for (n = 6; n < tech; n++)
		assert_int_equal(eb_buf_append(&t, n % 61 ? "w" : " ", 1),
		    EB_OK);
	eb_doc_set_text(eb_doc_child(d, "technical"), eb_buf_str(&t));
	eb_doc_set_text(eb_doc_child(d, "total-price"), price);
	eb_doc_set_text(eb_doc_child(d, "completion-days"), days);
	eb_buf_reset(out);
	assert_int_equal(eb_xml_write(d, 0, out), EB_OK);
	eb_doc_free(d);
	eb_buf_free(&b);
	eb_buf_free(&t);
}

/*
 * The schema without the long texts' lengths (xml.c, struct eb_schema):
 * ebid.xsd's 262,144-character <technical> is left out of the second
 * compile; every document, valid or not, of either size, gets the same
 * answer (the same tree, or the same code, reason, message, hint and
 * detail) as against the schema as published.
 */
static void
test_long_schema(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		size_t tech;
		const char *price, *days;
		int ok;
		const char *in_detail;
	} cases[] = {
		{ 98000, "570368000", "210", 1, NULL },
		{ 98000, "-5", "210", 0, "'-5'" },
		{ 98000, "570368000", "x210", 0, "'x210'" },
		{ 250000, "570368000", "210", 1, NULL },
		{ 262144, "570368000", "210", 1, NULL },
		{ 262145, "570368000", "210", 0,
		    "The value has a length of '262145'; this exceeds the "
		    "allowed maximum length of '262144'" },
		/* the over-long text counted after the first error */
		{ 300000, "-5", "210", 0, "'-5' is less than the minimum value "
		    "allowed ('0'). (and 1 more error(s))" },
	};
	struct eb_buf w = EB_BUF_INIT, a = EB_BUF_INIT, b = EB_BUF_INIT;
	struct eb_doc *d[2];
	struct eb_error e[2];
	size_t k;
	int off, rc[2];

	assert_int_equal(eb_schema_long_min(fx->master), 262144);
	assert_int_equal(eb_schema_long_min(fx->test), 0);
	{
		/* without eb_xml_lean_schema(1) one compile only (ebid,
		 * ebid-audit) */
		char path[PATH_MAX];
		struct eb_error le;
		struct eb_schema *one;

		memset(&le, 0, sizeof(le));
		snprintf(path, sizeof(path), "%s/protocol/xsd/ebid.xsd",
		    getenv("EBID_SRC") != NULL ? getenv("EBID_SRC") :
		    EB_SRC_DIR);
		one = eb_schema_load(path, &le);
		assert_non_null(one);
		assert_int_equal(eb_schema_long_min(one), 0);
		/* not even when a 100 KB bid comes */
		{
			struct eb_doc *bd = NULL;

			make_long_bid(fx->master, 98000, "570368000", "210",
			    &w);
			assert_int_equal(eb_xml_parse(one, NULL, w.data, w.len,
			    &bd, &le), EB_OK);
			eb_doc_free(bd);
			assert_int_equal(eb_schema_lean_compiled(one), 0);
			assert_int_equal(eb_schema_long_min(one), 0);
		}
		eb_schema_free(one);
	}
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		make_long_bid(fx->master, cases[k].tech, cases[k].price,
		    cases[k].days, &w);
		/* the cases below 256 KiB take the second compile */
		assert_true((w.len <= 262144) == (cases[k].tech < 262144 - 5000));
		for (off = 0; off < 2; off++) {
			eb_xml_no_long_schema = off;
			memset(&e[off], 0, sizeof(e[off]));
			d[off] = NULL;
			rc[off] = eb_xml_parse(fx->master, NULL, w.data, w.len,
			    &d[off], &e[off]);
		}
		eb_xml_no_long_schema = 0;
		assert_int_equal(rc[0], cases[k].ok ? EB_OK : EB_ERR_FORMAT);
		assert_int_equal(rc[0], rc[1]);
		if (cases[k].ok) {
			eb_buf_reset(&a);
			eb_buf_reset(&b);
			assert_int_equal(eb_xml_write(d[0], 0, &a), EB_OK);
			assert_int_equal(eb_xml_write(d[1], 0, &b), EB_OK);
			assert_int_equal(a.len, w.len);
			assert_memory_equal(a.data, w.data, w.len);
			assert_int_equal(b.len, w.len);
			assert_memory_equal(b.data, w.data, w.len);
		} else {
			assert_string_equal(e[0].reason, "schema-invalid");
			assert_non_null(strstr(e[0].detail,
			    cases[k].in_detail));
			assert_int_equal(e[0].code, e[1].code);
			assert_string_equal(e[0].reason, e[1].reason);
			assert_string_equal(e[0].primary, e[1].primary);
			assert_string_equal(e[0].detail, e[1].detail);
			assert_string_equal(e[0].hint, e[1].hint);
		}
		eb_doc_free(d[0]);
		eb_doc_free(d[1]);
	}
	/* the cases of 16 KiB to L bytes made the second compile */
	assert_int_equal(eb_schema_lean_compiled(fx->master), 1);
	eb_buf_free(&w);
	eb_buf_free(&a);
	eb_buf_free(&b);
}

/*
 * The second compile is lazy (xml.c, struct eb_schema): a schema loaded
 * with eb_xml_lean_schema(1) has none until a document of 16 KiB to L
 * bytes needs it, and then compiles it from the texts read at load (the
 * files are gone by then here); four threads asking at once get the
 * results of the schema as published, and it is compiled once.
 */
struct lean_worker {
	const struct eb_schema *s;
	const struct eb_buf *docs;   /* [0] valid, [1] bad total-price */
	int rc[2];
	struct eb_error e[2];
	struct eb_buf out;
};

static void *
lean_worker_main(void *arg)
{
	struct lean_worker *w = arg;
	struct eb_doc *d;
	int k;

	for (k = 0; k < 2; k++) {
		d = NULL;
		memset(&w->e[k], 0, sizeof(w->e[k]));
		w->rc[k] = eb_xml_parse(w->s, NULL, w->docs[k].data,
		    w->docs[k].len, &d, &w->e[k]);
		if (k == 0 && d != NULL && eb_xml_write(d, 0, &w->out) !=
		    EB_OK)
			w->rc[k] = -1;
		eb_doc_free(d);
	}
	return NULL;
}

static void
test_lean_schema_lazy(void **state)
{
	struct fixture *fx = *state;
	static const char *const files[] = { "audit", "bid", "clearing",
	    "common", "ebid", "error", "evaluation", "events", "sale",
	    "service", "subject", "tender", "views" };
	char dir[64], path[PATH_MAX], from[PATH_MAX];
	const char *src = getenv("EBID_SRC") != NULL ? getenv("EBID_SRC") :
	    EB_SRC_DIR;
	struct eb_buf docs[2] = { EB_BUF_INIT, EB_BUF_INIT }, small = EB_BUF_INIT;
	struct lean_worker w[4];
	pthread_t t[4];
	struct eb_schema *s;
	struct eb_error err;
	struct eb_doc *d = NULL;
	size_t i;
	int k;

	/* a copy of protocol/xsd, removed once loaded */
	snprintf(dir, sizeof(dir), "/tmp/eb_test_lean.XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct eb_buf b = EB_BUF_INIT;
		char chunk[4096];
		size_t n;
		FILE *f;

		snprintf(from, sizeof(from), "%s/protocol/xsd/%s.xsd", src,
		    files[i]);
		assert_non_null(f = fopen(from, "rb"));
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			assert_int_equal(eb_buf_append(&b, chunk, n), EB_OK);
		fclose(f);
		snprintf(path, sizeof(path), "%s/%s.xsd", dir, files[i]);
		write_file(path, eb_buf_str(&b));
		eb_buf_free(&b);
	}
	snprintf(path, sizeof(path), "%s/ebid.xsd", dir);
	eb_xml_lean_schema(1);
	s = eb_schema_load(path, &err);
	eb_xml_lean_schema(0);
	assert_non_null(s);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.xsd", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
	/* L is known at load; no second compile yet */
	assert_int_equal(eb_schema_long_min(s), 262144);
	assert_int_equal(eb_schema_lean_compiled(s), 0);

	/* small documents, valid and not, do not compile it */
	make_long_bid(fx->master, 1000, "570368000", "210", &small);
	assert_true(small.len < 16384);
	assert_int_equal(eb_xml_parse(s, NULL, small.data, small.len, &d,
	    &err), EB_OK);
	eb_doc_free(d);
	d = NULL;
	assert_int_equal(parse(s, NULL, "<whoami " NS " party=\"b1\"/>", &d,
	    &err), EB_ERR_FORMAT);
	assert_int_equal(eb_schema_lean_compiled(s), 0);
	/* nor does one over L bytes (validated as published) */
	make_long_bid(fx->master, 300000, "570368000", "210", &docs[0]);
	assert_int_equal(eb_xml_parse(s, NULL, docs[0].data, docs[0].len, &d,
	    &err), EB_ERR_FORMAT);
	assert_int_equal(eb_schema_lean_compiled(s), 0);

	/* a 100 KB bid does, once, whichever of four threads comes first */
	make_long_bid(fx->master, 98000, "570368000", "210", &docs[0]);
	make_long_bid(fx->master, 98000, "-5", "210", &docs[1]);
	for (k = 0; k < 4; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].s = s;
		w[k].docs = docs;
		w[k].out = (struct eb_buf)EB_BUF_INIT;
		assert_int_equal(pthread_create(&t[k], NULL, lean_worker_main,
		    &w[k]), 0);
	}
	for (k = 0; k < 4; k++) {
		assert_int_equal(pthread_join(t[k], NULL), 0);
		assert_int_equal(w[k].rc[0], EB_OK);
		assert_int_equal(w[k].out.len, docs[0].len);
		assert_memory_equal(w[k].out.data, docs[0].data, docs[0].len);
		assert_int_equal(w[k].rc[1], EB_ERR_FORMAT);
		assert_string_equal(w[k].e[1].reason, "schema-invalid");
		assert_string_equal(w[k].e[1].detail, w[0].e[1].detail);
		assert_non_null(strstr(w[k].e[1].detail, "'-5'"));
		eb_buf_free(&w[k].out);
	}
	assert_int_equal(eb_schema_lean_compiled(s), 1);
	assert_int_equal(eb_schema_long_min(s), 262144);
	/* and the same first error as the schema as published */
	eb_xml_no_long_schema = 1;
	memset(&err, 0, sizeof(err));
	assert_int_equal(eb_xml_parse(s, NULL, docs[1].data, docs[1].len, &d,
	    &err), EB_ERR_FORMAT);
	eb_xml_no_long_schema = 0;
	assert_string_equal(err.detail, w[0].e[1].detail);
	eb_schema_free(s);
	eb_buf_free(&docs[0]);
	eb_buf_free(&docs[1]);
	eb_buf_free(&small);
}

static void
test_long_text_taken(void **state)
{
	struct fixture *fx = *state;
	static const size_t lens[] = { 10, 4095, 4096, 4097, 100000 };
	struct eb_buf t = EB_BUF_INIT, w = EB_BUF_INIT, x = EB_BUF_INIT;
	struct eb_doc *d, *back = NULL;
	struct eb_error err;
	size_t k;
	int lead;

	for (lead = 0; lead < 2; lead++)
		for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
			eb_buf_reset(&t);
			if (lead)
				assert_int_equal(eb_buf_puts(&t, "\xe4\xb8\xad "),
				    EB_OK);
			while (t.len < lens[k])
				assert_int_equal(eb_buf_puts(&t, "a<b & c; "),
				    EB_OK);
			d = eb_doc_new("offer");
			eb_doc_set_attr(d, "lot", "L1");
			eb_doc_set_text(eb_doc_add(d, "title"), eb_buf_str(&t));
			eb_doc_set_text(eb_doc_add(d, "item"), "short");
			eb_doc_set_attr(eb_doc_child(d, "item"), "price", "7");
			eb_buf_reset(&w);
			assert_int_equal(eb_xml_write(d, 0, &w), EB_OK);
			assert_int_equal(eb_xml_parse(fx->test, NULL, w.data,
			    w.len, &back, &err), EB_OK);
			assert_true(eb_doc_equal(d, back));
			assert_string_equal(eb_doc_child_text(back, "title"),
			    eb_buf_str(&t));
			eb_doc_free(back);
			back = NULL;
			/* the same text as CDATA ('<' and '&' as they are) */
			eb_buf_reset(&x);
			assert_int_equal(eb_buf_puts(&x, "<offer " NS
			    " lot=\"L1\"><title><![CDATA["), EB_OK);
			assert_int_equal(eb_buf_puts(&x, eb_buf_str(&t)), EB_OK);
			assert_int_equal(eb_buf_puts(&x, "]]></title><item "
			    "price=\"7\">short</item></offer>"), EB_OK);
			assert_int_equal(eb_xml_parse(fx->test, NULL, x.data,
			    x.len, &back, &err), EB_OK);
			assert_true(eb_doc_equal(d, back));
			eb_doc_free(back);
			back = NULL;
			eb_doc_free(d);
		}
	eb_buf_free(&t);
	eb_buf_free(&w);
	eb_buf_free(&x);
}

/*
 * Text with a long ASCII run after non-ASCII goes to libxml2 in pieces
 * (protocol/xml.c, "in pieces"): the same tree as in one call, the same
 * refusals when the bytes around a cut are bad.  The whole suite also runs
 * a second time with every document forced into 7-byte pieces (main).
 */
static void
test_pieces(void **state)
{
	struct fixture *fx = *state;
	struct eb_buf b = EB_BUF_INIT, w = EB_BUF_INIT, x = EB_BUF_INIT;
	struct eb_doc *d = NULL, *back = NULL;
	struct eb_error err;
	unsigned saved = eb_xml_pieces;
	int i;

	assert_int_equal(eb_buf_puts(&b, "\xe4\xb8\xad\xe6\x96\x87 "), EB_OK);
	for (i = 0; i < 200; i++)
		assert_int_equal(eb_buf_puts(&b, "ascii after Chinese; "), EB_OK);
	assert_int_equal(eb_buf_puts(&b, "\xe5\xb0\xbe"), EB_OK);
	d = eb_doc_new("offer");
	eb_doc_set_attr(d, "lot", "L1");
	eb_doc_set_text(eb_doc_add(d, "title"), eb_buf_str(&b));
	eb_doc_set_text(eb_doc_add(d, "item"), eb_buf_str(&b));
	eb_doc_set_attr(eb_doc_child(d, "item"), "price", "7");
	assert_int_equal(eb_xml_write(d, 0, &w), EB_OK);
	/* one call (a single piece) and the pieces the parser chooses */
	for (i = 0; i < 2; i++) {
		eb_xml_pieces = i == 0 ? (unsigned)w.len : 0;
		assert_int_equal(eb_xml_parse(fx->test, NULL, w.data, w.len,
		    &back, &err), EB_OK);
		assert_true(eb_doc_equal(d, back));
		eb_buf_reset(&x);
		assert_int_equal(eb_xml_write(back, 0, &x), EB_OK);
		assert_int_equal(x.len, w.len);
		assert_memory_equal(x.data, w.data, w.len);
		eb_doc_free(back);
		back = NULL;
	}
	eb_xml_pieces = saved;
	/* A UTF-8 sequence cut short just before the long ASCII run. */
	eb_buf_reset(&x);
	assert_int_equal(eb_buf_puts(&x, "<a " NS ">\xe4\xb8"), EB_OK);
	for (i = 0; i < 40; i++)
		assert_int_equal(eb_buf_puts(&x, "ascii after a bad sequence "),
		    EB_OK);
	assert_int_equal(eb_buf_puts(&x, "</a>"), EB_OK);
	expect_refused(NULL, NULL, eb_buf_str(&x), EB_ERR_FORMAT, "malformed",
	    &err);
	/* Cut, then never closed. */
	eb_buf_reset(&x);
	assert_int_equal(eb_buf_puts(&x, "<a " NS ">\xe4\xb8\xad"), EB_OK);
	for (i = 0; i < 40; i++)
		assert_int_equal(eb_buf_puts(&x, "ascii after Chinese, open "),
		    EB_OK);
	expect_refused(NULL, NULL, eb_buf_str(&x), EB_ERR_FORMAT, "malformed",
	    &err);
	eb_buf_free(&b);
	eb_buf_free(&w);
	eb_buf_free(&x);
	eb_doc_free(d);
}

static void
test_write_refuses(void **state)
{
	struct eb_doc *d = eb_doc_new("a");
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	eb_doc_set_text(d, "text");
	eb_doc_add(d, "b");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);  /* mixed */
	assert_int_equal(b.len, 0);
	eb_doc_set_text(d, NULL);
	assert_int_equal(eb_xml_write(d, 0, &b), EB_OK);
	eb_buf_reset(&b);
	eb_doc_set_attr(d, "xmlns", "urn:evil");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "xmlns", NULL);
	eb_doc_set_attr(d, "p:q", "1");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "p:q", NULL);
	eb_doc_set_attr(d, "ok", "cut \xe4\xb8");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "ok", "bell \x07");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "ok", NULL);
	eb_doc_add(d, "1bad");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_ERR_FORMAT);
	assert_int_equal(b.len, 0);
	assert_int_equal(eb_xml_write(NULL, 0, &b), EB_ERR_FORMAT);
	eb_buf_free(&b);
	eb_doc_free(d);
}

/* -- the error document ------------------------------------------------------- */

static void
test_errdoc_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct eb_error e, back;
	struct eb_doc *d, *parsed = NULL;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error perr;

	eb_fail(&e, EB_ERR_STATE, "not-allowed-in-state",
	    "Wait until the tender is open for bids.",
	    "command refused: tender T-1 is closed");
	eb_error_detail(&e, "state closed, %s", cn_name);
	d = eb_errdoc_build(&e, "r-17");
	assert_string_equal(eb_doc_attr(d, "code"), "state");
	assert_string_equal(eb_doc_attr(d, "status"), "409");
	assert_string_equal(eb_doc_attr(d, "request-id"), "r-17");
	assert_int_equal(eb_xml_write(d, 1, &b), EB_OK);
	/* What we build is valid against the real error.xsd. */
	assert_int_equal(eb_xml_parse(fx->master, NULL, b.data, b.len, &parsed,
	    &perr), EB_OK);
	assert_true(eb_doc_equal(d, parsed));
	assert_int_equal(eb_errdoc_read(parsed, &back), EB_OK);
	assert_int_equal(back.code, EB_ERR_STATE);
	assert_string_equal(back.reason, e.reason);
	assert_string_equal(back.primary, e.primary);
	assert_string_equal(back.detail, e.detail);
	assert_string_equal(back.hint, e.hint);
	eb_doc_free(parsed);
	eb_doc_free(d);
	eb_buf_free(&b);

	/* No detail, no hint, no request id: still valid, fields empty. */
	eb_fail(&e, EB_ERR_LIMIT, "document-too-large", NULL, "too big");
	d = eb_errdoc_build(&e, NULL);
	assert_null(eb_doc_child(d, "detail"));
	assert_null(eb_doc_child(d, "hint"));
	assert_null(eb_doc_attr(d, "request-id"));
	assert_string_equal(eb_doc_attr(d, "status"), "413");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_OK);
	parsed = NULL;
	assert_int_equal(eb_xml_parse(fx->master, NULL, b.data, b.len, &parsed,
	    &perr), EB_OK);
	assert_int_equal(eb_errdoc_read(parsed, &back), EB_OK);
	assert_int_equal(back.code, EB_ERR_LIMIT);
	assert_string_equal(back.detail, "");
	assert_string_equal(back.hint, "");
	eb_doc_free(parsed);
	eb_doc_free(d);
	eb_buf_free(&b);
}

static void
test_errdoc_repairs(void **state)
{
	struct fixture *fx = *state;
	struct eb_error e, perr;
	struct eb_doc *d, *parsed = NULL;
	struct eb_buf b = EB_BUF_INIT;

	/* A code that is no error, a reason that is no token, a bad request
	 * id, a UTF-8 character cut in half and a control character. */
	memset(&e, 0, sizeof(e));
	e.code = 42;
	snprintf(e.reason, sizeof(e.reason), "Bad Reason");
	snprintf(e.primary, sizeof(e.primary), "cut \xe4\xb8");
	snprintf(e.detail, sizeof(e.detail), "bell\x07!");
	d = eb_errdoc_build(&e, "has space");
	assert_string_equal(eb_doc_attr(d, "code"), "internal");
	assert_string_equal(eb_doc_attr(d, "reason"), "internal");
	assert_string_equal(eb_doc_attr(d, "status"), "500");
	assert_null(eb_doc_attr(d, "request-id"));
	assert_string_equal(eb_doc_child_text(d, "message"), "cut ??");
	assert_string_equal(eb_doc_child_text(d, "detail"), "bell !");
	assert_int_equal(eb_xml_write(d, 0, &b), EB_OK);
	assert_int_equal(eb_xml_parse(fx->master, NULL, b.data, b.len, &parsed,
	    &perr), EB_OK);
	eb_doc_free(parsed);
	eb_doc_free(d);
	eb_buf_free(&b);

	/* Not an error document. */
	d = eb_doc_new("health");
	assert_int_equal(eb_errdoc_read(d, &e), EB_ERR_FORMAT);
	eb_doc_free(d);
	d = eb_doc_new("error");
	eb_doc_set_attr(d, "code", "weird");
	eb_doc_set_attr(d, "reason", "x");
	eb_doc_add_text(d, "message", "m");
	assert_int_equal(eb_errdoc_read(d, &e), EB_ERR_FORMAT);
	eb_doc_set_attr(d, "code", "denied");
	assert_int_equal(eb_errdoc_read(d, &e), EB_OK);
	assert_int_equal(e.code, EB_ERR_DENIED);
	eb_doc_free(d);
	assert_int_equal(eb_errdoc_read(NULL, &e), EB_ERR_FORMAT);
}

/* -- threads ------------------------------------------------------------------ */

struct worker {
	const struct eb_schema *s;
	int failures;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct eb_error err;
	struct eb_doc *d;
	int i, rc;

	for (i = 0; i < 200; i++) {
		d = NULL;
		rc = parse(w->s, NULL, "<whoami " NS " party=\"b1\" "
		    "person=\"p1\" org=\"o\" name=\"n\" role=\"expert\"/>",
		    &d, &err);
		if (rc != EB_OK || d == NULL)
			w->failures++;
		eb_doc_free(d);
		d = NULL;
		rc = parse(w->s, NULL, "<whoami " NS " party=\"b1\"/>", &d, &err);
		if (rc != EB_ERR_FORMAT ||
		    strcmp(err.reason, "schema-invalid") != 0)
			w->failures++;
	}
	return NULL;
}

static void
test_threads_share_schema(void **state)
{
	struct fixture *fx = *state;
	pthread_t t[4];
	struct worker w[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i].s = fx->master;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

/* The log's stored <events> (canonical, no namespace) read back. */
static void
test_stored_events(void **state)
{
	struct eb_doc *ev = eb_doc_new("events"), *back = NULL, *x;
	struct eb_buf b = EB_BUF_INIT;
	struct eb_error err;

	(void)state;
	x = eb_doc_add(ev, "bid-submitted");
	eb_doc_set_attr(x, "bidder", "bidder1");
	eb_doc_add_text(x, "note", "肥城 & <co>");
	assert_int_equal(eb_doc_serialize(ev, &b), EB_OK);
	assert_int_equal(eb_xml_parse_stored_events(b.data, b.len, &back,
	    &err), EB_OK);
	assert_true(eb_doc_equal(ev, back));
	eb_doc_free(back);
	back = NULL;
	assert_int_equal(eb_xml_parse_stored_events((const uint8_t *)
	    "<eventsx></eventsx>", 19, &back, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bad-stored-events");
	assert_int_equal(eb_xml_parse_stored_events((const uint8_t *)
	    "<entry></entry>", 15, &back, &err), EB_ERR_FORMAT);
	assert_null(back);
	eb_buf_free(&b);
	eb_doc_free(ev);
}

/*
 * Parser contexts kept per thread (eb_xml_reuse_contexts): a context is
 * handed on only after a clean parse, so refused documents of every kind
 * between good ones change nothing, for more parses than a context lives
 * (4,096): each answer and tree is the one a fresh context gives.
 */
static void
test_reused_contexts(void **state)
{
	struct fixture *fx = *state;
	struct eb_error err;
	struct eb_doc *d = NULL, *want = NULL;
	struct eb_buf a = EB_BUF_INIT, b = EB_BUF_INIT;
	const char *good = "<offer " NS " lot=\"L1\"><title>t &amp; u</title>"
	    "<item price=\"5\">x</item></offer>";
	char *deep = nested(40);

	eb_xml_release_contexts();
	eb_xml_reuse_contexts(0);
	assert_int_equal(parse(fx->test, NULL, good, &want, &err), EB_OK);
	assert_int_equal(eb_xml_write(want, 0, &a), EB_OK);
	eb_xml_reuse_contexts(1);
	for (int i = 0; i < 4200; i++) {
		switch (i % 6) {
		case 1:
			expect_refused(fx->test, NULL, "<offer " NS " lot=\"L1\">"
			    "<title>t</item></offer>", EB_ERR_FORMAT,
			    "malformed", &err);
			break;
		case 2:
			expect_refused(NULL, NULL, deep, EB_ERR_LIMIT,
			    "too-deep", &err);
			break;
		case 3:
			expect_refused(NULL, NULL, "<!DOCTYPE a [<!ENTITY e "
			    "\"x\">]><a " NS ">&e;</a>", EB_ERR_FORMAT,
			    "dtd-not-allowed", &err);
			break;
		case 4:
			expect_refused(fx->test, NULL, "<offer " NS "><title>"
			    "t</title></offer>", EB_ERR_FORMAT,
			    "schema-invalid", &err);
			break;
		case 5:
			expect_refused(NULL, NULL, "<a xmlns=\"urn:other\"/>",
			    EB_ERR_FORMAT, "wrong-namespace", &err);
			break;
		default:
			assert_int_equal(parse(fx->test, NULL, good, &d, &err),
			    EB_OK);
			eb_buf_reset(&b);
			assert_int_equal(eb_xml_write(d, 0, &b), EB_OK);
			assert_int_equal(b.len, a.len);
			assert_memory_equal(b.data, a.data, a.len);
			eb_doc_free(d);
			d = NULL;
		}
	}
	eb_xml_release_contexts();
	eb_xml_reuse_contexts(0);
	eb_doc_free(want);
	eb_buf_free(&a);
	eb_buf_free(&b);
	free(deep);
}

/*
 * The raises' shape (xml.c, eb_xml_limits.raise_shapes): against
 * ebid.xsd itself, thousands of raises and near misses (other roots and
 * namespaces, each attribute's value at and past its type's edges, white
 * space, character references, an attribute more or in a namespace,
 * xsi:nil, any child node) parse to the same result with and without the
 * shape: the same code, reason and detail, the same tree; those that
 * took the shape were all valid, and both kinds were drawn.
 */
static unsigned shape_seed = 12345;

static unsigned
shape_rnd(unsigned n)
{
	shape_seed = shape_seed * 1103515245u + 12345u;
	return (shape_seed >> 8) % n;
}

#define NELEM(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* arr[0] (the plain raise's part) 'good' times in 100, else any of the
 * n (NELEM: the count is the array's own) */
static const char *
shape_pick(const char *const *arr, unsigned n, unsigned good)
{
	return shape_rnd(100) < good ? arr[0] : arr[shape_rnd(n)];
}

static void
test_raise_shapes(void **state)
{
	struct fixture *fx = *state;
	static const char *const roots[] = { "auction-bid", "quote",
		"auction-bid", "quote", "declare-continue", "Auction-bid",
		"e:auction-bid" };
	static const char *const nss[] = { " xmlns=\"urn:ebid:1\"",
		" xmlns=\"urn:ebid:1\"", " xmlns=\"urn:ebid:2\"",
		" xmlns:e=\"urn:ebid:1\"" };
	static const char *const sales[] = { "S-2026-0001", "S-2026-0001",
		"a", "",
		"0123456789012345678901234567890123456789012345678901234567890123",
		"01234567890123456789012345678901234567890123456789012345678901234",
		"S 1", " S1", "S1 ", "S&#45;1", "S&amp;1", "S/1", "\xe4\xb8\xad",
		"S.:_-z" };
	static const char *const amounts[] = { "123456700", "123456700", "1",
		"0", "01", "+5", " 5", "5 ", "1000000000000000",
		"1000000000000001", "999999999999999", "9999999999999999",
		"99999999999999999", "-1", "1e3", "\xef\xbc\x91", "&#49;0",
		"5&#32;", "" };
	static const char *const extras[] = { "", "", "", "", " x=\"1\"",
		" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		"xsi:nil=\"true\"", " e:sale=\"S1\" xmlns:e=\"urn:ebid:1\"",
		" xmlns:q=\"urn:q\"", " continue=\"yes\"" };
	static const char *const bodies[] = { "/>", "/>", "></R>", "> </R>",
		"><!--c--></R>", "><?pi x?></R>", "><x/></R>", ">t</R>",
		"><![CDATA[]]></R>" };
	struct eb_xml_limits plain = { 0 }, shaped = { 0 };
	unsigned long skips0 = eb_xml_shape_skips;
	int valid = 0, valid_unshaped = 0, skipped = 0;

	shaped.raise_shapes = 1;
	for (int i = 0; i < 6000; i++) {
		char doc[512], body[64], *p;
		const char *root = shape_pick(roots, NELEM(roots), 80);
		const char *b = shape_pick(bodies, NELEM(bodies), 80);
		int order = shape_rnd(10) < 8 ? (int)shape_rnd(2) : 2;
		const char *sale = shape_pick(sales, NELEM(sales), 80);
		const char *amount = shape_pick(amounts, NELEM(amounts), 80);
		const char *ns = root[0] == 'e' ? nss[3] : shape_pick(nss, 3,
		    80);
		const char *extra = shape_pick(extras, NELEM(extras), 80);
		struct eb_doc *d1 = NULL, *d2 = NULL;
		struct eb_error e1, e2;
		unsigned long before;
		int r1, r2;

		/* the end tag names the root */
		snprintf(body, sizeof(body), "%s", b);
		if ((p = strstr(body, "</R>")) != NULL)
			snprintf(p, sizeof(body) - (size_t)(p - body), "</%s>",
			    root);
		if (order == 0)
			snprintf(doc, sizeof(doc), "<%s%s sale=\"%s\" "
			    "amount=\"%s\"%s%s", root, ns, sale, amount,
			    extra, body);
		else if (order == 1)
			snprintf(doc, sizeof(doc), "<%s%s%s amount=\"%s\" "
			    "sale=\"%s\"%s", root, ns, extra, amount, sale,
			    body);
		else   /* one of them only */
			snprintf(doc, sizeof(doc), "<%s%s %s=\"%s\"%s%s", root,
			    ns, shape_rnd(2) ? "sale" : "amount",
			    shape_rnd(2) ? sale : amount, extra, body);
		eb_error_clear(&e1);
		eb_error_clear(&e2);
		r1 = eb_xml_parse(fx->master, &plain, (const uint8_t *)doc,
		    strlen(doc), &d1, &e1);
		before = eb_xml_shape_skips;
		r2 = eb_xml_parse(fx->master, &shaped, (const uint8_t *)doc,
		    strlen(doc), &d2, &e2);
		if (r1 != r2 || strcmp(e1.reason, e2.reason) != 0 ||
		    strcmp(e1.detail, e2.detail) != 0)
			fail_msg("%s: %d %s (%s) without the shape, %d %s (%s) "
			    "with it", doc, r1, e1.reason, e1.detail, r2,
			    e2.reason, e2.detail);
		if (r1 == EB_OK) {
			valid++;
			assert_true(eb_doc_equal(d1, d2));
		}
		if (eb_xml_shape_skips != before) {
			skipped++;
			assert_int_equal(r1, EB_OK);
		} else if (r1 == EB_OK) {
			valid_unshaped++;
		}
		eb_doc_free(d1);
		eb_doc_free(d2);
	}
	/* the plain parse never takes the shape */
	assert_int_equal(eb_xml_shape_skips - skips0, (unsigned long)skipped);
	printf("# 6000 documents: %d valid, %d by the shape, %d valid "
	    "otherwise\n", valid, skipped, valid_unshaped);
	assert_true(skipped > 1000);
	assert_true(valid_unshaped > 100);
	assert_true(6000 - valid > 1500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_offer),
		cmocka_unit_test(test_valid_service_documents),
		cmocka_unit_test(test_common_types),
		cmocka_unit_test(test_xxe_refused),
		cmocka_unit_test(test_loader_denies_files_and_urls),
		cmocka_unit_test(test_billion_laughs_refused),
		cmocka_unit_test(test_external_dtd_refused),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_element_limit),
		cmocka_unit_test(test_prescan_attributes),
		cmocka_unit_test(test_prescan_namespaces),
		cmocka_unit_test(test_prescan_nodes_and_text),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_oom),
		cmocka_unit_test(test_wrong_namespace),
		cmocka_unit_test(test_schema_invalid_line),
		cmocka_unit_test(test_structure_rules),
		cmocka_unit_test(test_handler_restored),
		cmocka_unit_test(test_schema_load_errors),
		cmocka_unit_test(test_write_exact),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_refuses),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_long_text_taken),
		cmocka_unit_test(test_long_schema),
		cmocka_unit_test(test_lean_schema_lazy),
		cmocka_unit_test(test_errdoc_round_trip),
		cmocka_unit_test(test_errdoc_repairs),
		cmocka_unit_test(test_threads_share_schema),
		cmocka_unit_test(test_stored_events),
		cmocka_unit_test(test_reused_contexts),
		cmocka_unit_test(test_raise_shapes),
	};

	int failed = cmocka_run_group_tests(tests, setup, teardown);

	/* Again, every document given to libxml2 in 7-byte pieces: every
	 * answer, line and tree must be the same (protocol/xml.c). */
	eb_xml_pieces = 7;
	failed += cmocka_run_group_tests(tests, setup, teardown);
	/* And once more in one call each, every thread keeping its parser
	 * context between clean parses (eb_xml_reuse_contexts, ebid-audit's
	 * setting): the same answers, lines and trees. */
	eb_xml_pieces = 0;
	eb_xml_reuse_contexts(1);
	failed += cmocka_run_group_tests(tests, setup, teardown);
	eb_xml_release_contexts();
	return failed;
}
