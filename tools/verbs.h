/*
 * tools/verbs.h
 *    The verbs of `ebid` beyond whoami/health/send: one family per
 *    aggregate and task (docs/client.md).
 *
 *    ebid tender COMMAND [ID] [NAME=VALUE ...] [--CHILD TEXT ...] [FILE.xml]
 *    ebid tender show ID | duties ID
 *    ebid sale COMMAND [ID] [NAME=VALUE ...] [--CHILD TEXT ...] [FILE.xml]
 *    ebid sale show ID
 *    ebid pool COMMAND [ID] ...
 *    ebid bid seal --tender ID BID.xml -o BID.sealed [--opening-cert F]
 *    ebid bid submit --tender ID BID.sealed [-o RECEIPT]
 *    ebid bid withdraw --tender ID
 *    ebid receipt verify RECEIPT BID.sealed
 *    ebid opening share --tender ID
 *    ebid opening decrypt --tender ID BID.sealed
 *    ebid auction quote --sale ID AMOUNT | bid --sale ID AMOUNT
 *    ebid auction watch --sale ID [--until-closed]
 *    ebid clearing show --tender ID [--xml]
 *    ebid score show --tender ID | submit --tender ID SCORES.xml
 *    ebid result show --tender ID
 *
 * A generic COMMAND is sent as <COMMAND tender|sale|pool="ID" NAME="VALUE"
 * ...><CHILD>TEXT</CHILD>...</COMMAND>, or as FILE.xml's document with the
 * id and attributes added; the schema (protocol/xsd) says what each
 * command takes.  Every state-changing verb signs the command with the
 * caller's key (the key of the TLS certificate).
 */
#ifndef EB_VERBS_H
#define EB_VERBS_H

#include <stddef.h>
#include <stdio.h>

struct session;
struct args;

/* One verb: the one table in tools/verbs.c (as git.c's commands[]). */
struct eb_verb {
	const char *family;  /* "bid" */
	const char *verb;    /* "seal"; NULL: the family's generic COMMAND */
	int (*run)(struct session *s, const struct args *a);
	                     /* NULL: run by the family's generic entry */
	const char *usage;   /* its lines of `ebid --help` */
};

/* The i-th verb in table order, NULL past the end. */
const struct eb_verb *eb_verbs_at(size_t i);

/* The entry that runs 'family verb' (verb may be NULL), or NULL. */
const struct eb_verb *eb_verbs_find(const char *family, const char *verb);

/* Is 'family' one of the verb families above? */
int eb_verbs_handles(const char *family);

/*
 * Run 'argv[0]' (the family) with its arguments.  'url', 'ca', 'cert',
 * 'key' are the connection settings (environment already applied).
 * Returns the process exit status (0 ok, 1 refused by the server,
 * 2 usage, 3 transport, 4 local error).
 */
int eb_verbs_main(int argc, char **argv, const char *url, const char *ca,
    const char *cert, const char *key);

/* Print the usage of 'family' (NULL: all) to 'f'. */
void eb_verbs_usage(const char *family, FILE *f);

#endif
