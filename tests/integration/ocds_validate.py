#!/usr/bin/python3
# tests/integration/ocds_validate.py DATA FORBIDDEN FILE...
#    Validates ebid's OCDS packages (ebid-audit export --ocds, the board's
#    /public/ocds/) with Debian's python3-jsonschema (draft 4):
#      a *.releases.json against release-package-schema.json, each release
#      against release-schema.json; a *.record.json against
#      record-package-schema.json, each record's releases and compiled
#      release against release-schema.json (see tests/data/ocds/README.md);
#      the codes of the closed and open codelists ebid uses are in them;
#      none of the strings of the file FORBIDDEN (one a line) appears.
#    Prints "ok ..." / "FAIL ..." lines; exits 1 on any failure.
import csv, json, os, sys
import jsonschema

data, forbidden_file, files = sys.argv[1], sys.argv[2], sys.argv[3:]
load = lambda n: json.load(open(os.path.join(data, n), encoding="utf-8"))
rel_schema = load("release-schema.json")
store = {rel_schema["id"]: rel_schema}
RECORD = "https://standard.open-contracting.org/schema/1__2__0/record-schema.json"
store[RECORD] = {  # the 1.1.5 record: ocid, releases, compiledRelease
    "type": "object", "required": ["ocid", "releases"],
    "properties": {
        "ocid": {"type": "string"},
        "releases": {"type": "array", "minItems": 1, "items": {"$ref": rel_schema["id"]}},
        "compiledRelease": {"$ref": rel_schema["id"]},
    },
}
codes = {}
for f in os.listdir(os.path.join(data, "codelists")):
    with open(os.path.join(data, "codelists", f), encoding="utf-8") as h:
        codes[f[:-4]] = {row["Code"] for row in csv.DictReader(h)}
forbidden = [l.strip() for l in open(forbidden_file, encoding="utf-8") if l.strip()]
fails = 0

def report(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += 0 if ok else 1

def validator(schema):
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return jsonschema.Draft4Validator(schema, resolver=resolver,
                                      format_checker=jsonschema.FormatChecker())

def errors(v, doc):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
            for e in v.iter_errors(doc)]

def in_codelist(name, value, where):
    if value not in codes[name]:
        report(False, "%s: %r is not in the %s codelist" % (where, value, name))
        return 0
    return 1

def check_codes(r, where):
    n = 0
    for t in r.get("tag", []): n += in_codelist("releaseTag", t, where + " tag")
    n += in_codelist("initiationType", r["initiationType"], where)
    for p in r.get("parties", []):
        for role in p.get("roles", []): n += in_codelist("partyRole", role, where + " party " + p["id"])
    t = r.get("tender", {})
    n += in_codelist("tenderStatus", t.get("status"), where + " tender")
    for m in t.get("submissionMethod", []): n += in_codelist("submissionMethod", m, where)
    if "awardCriteria" in t: n += in_codelist("awardCriteria", t["awardCriteria"], where)
    if "procurementMethod" in t: n += in_codelist("method", t["procurementMethod"], where)
    for d in t.get("documents", []): n += in_codelist("documentType", d["documentType"], where + " document")
    for a in r.get("awards", []): n += in_codelist("awardStatus", a["status"], where + " award")
    for c in r.get("contracts", []): n += in_codelist("contractStatus", c["status"], where + " contract")
    for v in [t.get("value"), t.get("minValue")] + [a.get("value") for a in r.get("awards", [])]:
        if v: n += in_codelist("currency", v["currency"], where + " value")
    return n

rel_v = validator(rel_schema)
pkg_v = validator(load("release-package-schema.json"))
rec_v = validator(load("record-package-schema.json"))
for f in files:
    name = os.path.basename(f)
    text = open(f, encoding="utf-8").read()
    doc = json.loads(text)
    record = name.endswith(".record.json")
    e = errors(rec_v if record else pkg_v, doc)
    report(not e, "%s is a valid %s package %s" % (name, "record" if record else "release", "; ".join(e[:5])))
    releases = [r for rec in doc.get("records", []) for r in rec["releases"] + [rec["compiledRelease"]]] \
        if record else doc["releases"]
    report(len(releases) > 0, "%s holds %d releases" % (name, len(releases)))
    bad, ncodes = [], 0
    for r in releases:
        bad += ["%s: %s" % (r["id"], m) for m in errors(rel_v, r)]
        ncodes += check_codes(r, r["id"])
    report(not bad, "%s: every release is valid against release-schema.json %s" % (name, "; ".join(bad[:5])))
    report(ncodes > 0, "%s: %d codes checked against the codelists" % (name, ncodes))
    found = [s for s in forbidden if s in text]
    report(not found, "%s shows nothing private %s" % (name, found))
sys.exit(1 if fails else 0)
