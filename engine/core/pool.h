/*
 * engine/core/pool.h
 *    The expert pool (专家库) as an aggregate: who may be drawn.
 *
 * One pool aggregate (kind "pool"; commands carry pool="ID" on their
 * root) holds every registered expert: party (certificate UID), person
 * (natural person id), name, employer org, specialty, status, and the
 * instants of past appointments, so the draw (draw.h) can avoid
 * conflicts and experts drawn too often recently.
 *
 * Commands (decide) and the events they produce (all inside <events>):
 *    <register-expert pool= party= person= name= org= specialty=/>
 *        registrar only; party must be new.
 *        -> <expert-registered party person name org specialty at/>
 *    <suspend-expert pool= party= reason=/>    registrar; active expert
 *        -> <expert-suspended party reason at/>
 *    <reinstate-expert pool= party=/>          registrar; suspended expert
 *        -> <expert-reinstated party at/>
 *    <record-appointment pool= tender=> <expert party=/>... </record-appointment>
 *        system (ebidd, when a tender's draw appoints experts); every
 *        party must be registered.
 *        -> <expert-appointed party tender at/> per expert
 *    'at' is the command's server instant (ISO text, protocol/isotime.h).
 *    Refusals: EB_ERR_DENIED "role-not-allowed", EB_ERR_FORMAT
 *    "bad-command", EB_ERR_CONFLICT "expert-exists", EB_ERR_NOTFOUND
 *    "no-such-expert", EB_ERR_STATE "expert-not-active" /
 *    "expert-not-suspended".
 *
 * View (<pool id= experts="n">): registrar, supervisor, verifier, auditor
 * and system see every expert:
 *    <expert party person name org specialty status="active|suspended">
 *      <appointment tender at/>...</expert>
 * (experts in registration order, appointments in time order).  Other
 * roles see only the count: committee names are sealed (实施条例 Art. 41).
 *
 * State name: "open" (the pool has no lifecycle).  No timers.
 *
 * Pure: libc and protocol plain types.
 *
 * INTERFACE
 *    eb_pool_flow - the struct eb_flow_ops of the pool aggregate
 */
#ifndef EB_POOL_H
#define EB_POOL_H

#include "engine/core/flow.h"

extern const struct eb_flow_ops eb_pool_flow;

#endif
