/*
 * protocol/actor.h
 *    Roles and actors: who may act, as read from a certificate.
 *
 * Pure plain types (libc only), shared by engine/core, protocol and tools.
 */
#ifndef EB_ACTOR_H
#define EB_ACTOR_H

#include "protocol/err.h"

enum eb_role {
	EB_ROLE_NONE = 0,
	EB_ROLE_REGISTRAR,    /* 交易登记科: accepts projects, sign-ups, experts */
	EB_ROLE_SUPERVISOR,   /* 监管科: announcement, opening, draw, objections */
	EB_ROLE_VERIFIER,     /* 鉴证科: verification record, countersignatures */
	EB_ROLE_AUDITOR,      /* 审计/纪检: reads and replays, changes nothing */
	EB_ROLE_TENDERER,     /* 招标人/代理: registers projects */
	EB_ROLE_BIDDER,       /* 投标人/竞买人 */
	EB_ROLE_EXPERT,       /* 评标专家 */
	EB_ROLE_CUSTODIAN,    /* 开标密钥保管人 */
	EB_ROLE_TRANSFEROR,   /* 出让方: the seller in a sale */
	EB_ROLE_SYSTEM,       /* ebidd itself: timers, opening, receipts */
	EB_ROLE_COUNT
};

#define EB_ROLE_BIT(r) (1u << (r))

/* "registrar", "supervisor", ... ; "none" for EB_ROLE_NONE. */
const char *eb_role_name(enum eb_role r);
/* Parse a role name; returns EB_OK or EB_ERR_FORMAT. */
int eb_role_parse(const char *s, enum eb_role *r);

#define EB_ID_MAX 64
#define EB_NAME_MAX 128

/*
 * Who acts.  Read from the signer certificate (certs/README.md): the
 * subject's OU is the role, UID the party id, serialNumber the natural
 * person behind it (one person may hold several certificates; separation
 * of duties is checked per person), O the organisation, CN the name.
 */
struct eb_actor {
	char party[EB_ID_MAX];      /* stable party id, e.g. "bidder1" */
	char person[EB_ID_MAX];     /* natural person id */
	char org[EB_NAME_MAX];      /* organisation */
	char name[EB_NAME_MAX];     /* display name */
	enum eb_role role;
};

#endif
