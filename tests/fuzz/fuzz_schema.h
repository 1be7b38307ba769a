/*
 * tests/fuzz/fuzz_schema.h
 *    For the fuzz targets that read documents as ebidd does: the real
 *    master schema (protocol/xsd/ebid.xsd from $EBID_SRC or EB_SRC_DIR,
 *    compiled once) and eb_xml_parse() with ebidd's own limits.
 *    Header-only (static functions, each marked unused so a target may
 *    take only what it needs); include it from one target file.
 */
#ifndef EB_FUZZ_SCHEMA_H
#define EB_FUZZ_SCHEMA_H

#include <stdio.h>
#include <stdlib.h>

#include "protocol/xml.h"

#ifndef EB_SRC_DIR
#define EB_SRC_DIR "."
#endif

static __attribute__((unused)) struct eb_schema *
fuzz_schema(void)
{
	static struct eb_schema *s;
	struct eb_error err;
	char path[4096];
	const char *src;

	if (s != NULL)
		return s;
	src = getenv("EBID_SRC");
	eb_xml_init();
	snprintf(path, sizeof(path), "%s/protocol/xsd/ebid.xsd",
	    src != NULL ? src : EB_SRC_DIR);
	s = eb_schema_load(path, &err);
	if (s == NULL) {
		fprintf(stderr, "fuzz: %s: %s\n", err.primary, err.detail);
		abort();
	}
	return s;
}

/* With EB_FUZZ_VERBOSE set: say what became of an input (corpus work). */
static __attribute__((unused)) void
fuzz_say(const char *what, int rc, const struct eb_error *err)
{
	if (getenv("EB_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz: %s: %s%s%s\n", what,
		    rc == EB_OK ? "ok" : err->reason, rc == EB_OK ? "" : ": ",
		    rc == EB_OK ? "" : err->primary);
}

/* The document of 'data' if it is well formed and valid, else NULL. */
static __attribute__((unused)) struct eb_doc *
fuzz_parse(const uint8_t *data, size_t size)
{
	struct eb_doc *d = NULL;
	struct eb_error err;
	struct eb_xml_limits lim = { .max_bytes = 1 << 20, .max_depth = 32,
	    .max_elements = 20000 };

	if (eb_xml_parse(fuzz_schema(), &lim, data, size, &d, &err) != EB_OK) {
		fuzz_say("parse", EB_ERR_FORMAT, &err);
		return NULL;
	}
	return d;
}

#endif
