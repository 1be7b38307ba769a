#!/usr/bin/env python3
"""
tests/interop/verify_log.py
   An independent verifier of an ebid log export, written from
   docs/audit.md alone ("What an export holds", "The canonical form",
   "What verify checks"): python3's standard library and the `openssl`
   command line, no code of ebid.

   verify_log.py LOG.xml --ca ca.crt [--cache DIR]
   exit 0: the log holds; 1: a check failed (stdout names the entry and
   the reason); 2: usage.

   It checks what needs no engine: the export's form and format, the
   chain (seq, prev-hash, hash over the C14N 1.0 bytes of each entry,
   built here by hand), each signed command (CMS at the entry's time,
   signer = recorded actor, system only by a server certificate), each
   receipt (RFC 3161 over the command, at the entry's time), each signed
   chain head, the signed end of the export and its entries count.  It
   does not replay the rules: only ebid-audit, which links the engine,
   does that.  --cache keeps openssl's answers (keyed by the SHA-256 of
   their input), so a hundred tampered copies of one log cost little.
"""
import base64
import binascii
import datetime
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "urn:ebid:1"
Q = "{%s}" % NS
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
ROLES = {"registrar", "supervisor", "verifier", "auditor", "tenderer",
         "bidder", "expert", "custodian", "transferor", "system"}


class Fail(Exception):
    def __init__(self, seq, reason, what):
        super().__init__(what)
        self.seq, self.reason, self.what = seq, reason, what


# -- the canonical form (docs/audit.md): W3C Canonical XML 1.0 ------------
def esc_text(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\r", "&#xD;"))


def esc_attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace('"', "&quot;").replace("\t", "&#x9;")
            .replace("\n", "&#xA;").replace("\r", "&#xD;"))


def local(tag):
    if not tag.startswith(Q):
        raise Fail(0, "wrong-namespace", "element %s is not in %s" % (tag, NS))
    name = tag[len(Q):]
    if not NAME.match(name):
        raise Fail(0, "unsupported-name", "element name %r" % name)
    return name


def canon(el):
    """C14N 1.0 of an ebid element, without its namespace."""
    name = local(el.tag)
    out = ["<", name]
    for k in sorted(el.attrib):
        if "{" in k or not NAME.match(k) or k.startswith("xml"):
            raise Fail(0, "unsupported-name", "attribute %r" % k)
        out.append(' %s="%s"' % (k, esc_attr(el.attrib[k])))
    out.append(">")
    kids = list(el)
    text = el.text or ""
    if kids:
        if text.strip(" \t\r\n") or any((c.tail or "").strip(" \t\r\n")
                                          for c in kids):
            raise Fail(0, "mixed-content", "text beside elements in " + name)
        out.extend(canon(c) for c in kids)
    else:
        out.append(esc_text(text))
    out.append("</%s>" % name)
    return "".join(out)


def entry_bytes(agg, kind, e, cmd, receipt, events):
    attrs = {"aggregate": agg, "kind": kind, "seq": e["seq"],
             "time": e["time"], "party": e["party"], "role": e["role"],
             "person": e["person"], "clock": e["clock"],
             "command-sha256": hashlib.sha256(cmd).hexdigest()}
    if e.get("rules") is not None:
        attrs["rules"] = e["rules"]
    if receipt is not None:
        attrs["receipt-sha256"] = hashlib.sha256(receipt).hexdigest()
    head = "<entry" + "".join(' %s="%s"' % (k, esc_attr(attrs[k]))
                              for k in sorted(attrs)) + ">"
    return (head + canon(events) + "</entry>").encode("utf-8")


# -- openssl, with a cache ------------------------------------------------
class Openssl:
    def __init__(self, ca, cache):
        self.ca, self.cache = ca, cache
        self.tmp = tempfile.mkdtemp(prefix="vlog.")

    def _run(self, args):
        return subprocess.run(["openssl"] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)

    def _key(self, *parts):
        h = hashlib.sha256()
        for p in parts:
            h.update(p if isinstance(p, bytes) else str(p).encode())
            h.update(b"\0")
        return h.hexdigest()

    def _cached(self, key):
        if self.cache and os.path.exists(os.path.join(self.cache, key)):
            with open(os.path.join(self.cache, key), "rb") as f:
                return f.read()
        return None

    def _store(self, key, data):
        if self.cache:
            p = os.path.join(self.cache, key)
            with open(p + ".t", "wb") as f:
                f.write(data)
            os.replace(p + ".t", p)

    def cms_verify(self, der, at_s):
        """(content, signer DER) or None: CMS SignedData verified against
        the CA at 'at_s' (seconds), any purpose."""
        key = self._key("cms", der, at_s, self.ca)
        c = self._cached(key)
        if c is not None:
            if c == b"FAIL":
                return None
            n = int.from_bytes(c[:8], "big")
            return c[8:8 + n], c[8 + n:]
        i, o, s = (os.path.join(self.tmp, x) for x in ("in", "out", "signer"))
        with open(i, "wb") as f:
            f.write(der)
        r = self._run(["cms", "-verify", "-binary", "-inform", "DER", "-in", i,
                       "-CAfile", self.ca, "-purpose", "any", "-attime",
                       str(at_s), "-out", o, "-signer", s])
        res = None
        if r.returncode == 0:
            x = self._run(["x509", "-in", s, "-outform", "DER"])
            with open(o, "rb") as f:
                content = f.read()
            if x.returncode == 0:
                res = (content, x.stdout)
        self._store(key, b"FAIL" if res is None else
                    len(res[0]).to_bytes(8, "big") + res[0] + res[1])
        return res

    def subject(self, der):
        key = self._key("subject", der)
        c = self._cached(key)
        if c is None:
            i = os.path.join(self.tmp, "cert")
            with open(i, "wb") as f:
                f.write(der)
            r = self._run(["x509", "-inform", "DER", "-in", i, "-noout",
                           "-subject", "-nameopt",
                           "multiline,sname,utf8,-esc_msb"])
            c = r.stdout
            self._store(key, c)
        fields = {}
        for line in c.decode("utf-8", "replace").splitlines()[1:]:
            if "=" in line:
                k, v = line.split("=", 1)
                fields.setdefault(k.strip(), v.strip())
        return fields

    def receipt(self, token, digest_hex, at_s):
        """the token's time in ms, or None when it does not verify over
        'digest_hex' against the CA at 'at_s' (the entry's time: a receipt
        outlives its TSA certificate, docs/audit.md)"""
        key = self._key("ts", token, digest_hex, self.ca, str(at_s))
        c = self._cached(key)
        if c is None:
            i = os.path.join(self.tmp, "tok")
            with open(i, "wb") as f:
                f.write(token)
            r = self._run(["ts", "-verify", "-token_in", "-in", i, "-digest",
                           digest_hex, "-CAfile", self.ca,
                           "-attime", str(at_s)])
            c = b"FAIL"
            if r.returncode == 0 and b"Verification: OK" in r.stdout:
                t = self._run(["ts", "-reply", "-token_in", "-in", i,
                               "-text"])
                m = re.search(rb"Time stamp: (\w+ +\d+ [\d:.]+ \d+) GMT",
                              t.stdout)
                if m:
                    c = m.group(1)
            self._store(key, c)
        if c == b"FAIL":
            return None
        s = " ".join(c.decode().split())
        fmt = "%b %d %H:%M:%S.%f %Y" if "." in s else "%b %d %H:%M:%S %Y"
        dt = datetime.datetime.strptime(s, fmt).replace(
            tzinfo=datetime.timezone.utc)
        return int(dt.timestamp() * 1000 + 0.5) if "." in s else \
            int(dt.timestamp()) * 1000


# -- the export ------------------------------------------------------------
def b64(el, seq, what):
    t = "".join((el.text or "").split())
    try:
        raw = base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError):
        raise Fail(seq, "bad-entry", "%s is not base64" % what)
    if base64.b64encode(raw).decode() != t:      # XML Schema base64Binary
        raise Fail(seq, "bad-entry", "%s is not canonical base64" % what)
    return raw


def iso_ms(s, seq):
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z$",
                 s or "")
    if not m:
        raise Fail(seq, "bad-entry", "time %r" % s)
    try:
        dt = datetime.datetime(*[int(x) for x in m.groups()[:6]],
                               tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Fail(seq, "bad-entry", "time %r" % s)
    frac = (m.group(7) or "0").ljust(3, "0")
    return int(dt.timestamp()) * 1000 + int(frac)


def is_hex32(s):
    return bool(re.match(r"^[0-9a-f]{64}$", s or ""))


def only(el, allowed_attrs, allowed_kids, seq, what):
    for k in el.attrib:
        if k not in allowed_attrs:
            raise Fail(seq, "schema-invalid", "%s has attribute %s" % (what, k))
    if (el.text or "").strip(" \t\r\n"):
        raise Fail(seq, "schema-invalid", "%s holds text" % what)
    for c in el:
        if c.tag not in allowed_kids:
            raise Fail(seq, "schema-invalid", "%s holds %s" % (what, c.tag))
        if (c.tail or "").strip(" \t\r\n"):
            raise Fail(seq, "schema-invalid", "text in %s" % what)


def verify(path, ssl):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError, UnicodeError) as e:
        raise Fail(0, "malformed", str(e))
    if root.tag != Q + "log":
        raise Fail(0, "not-a-log", "the root is %s" % root.tag)
    only(root, {"aggregate", "kind", "format", "exported-at", "entries"},
         {Q + "entry", Q + "chain-head", Q + "server-certificate"}, 0, "log")
    if root.get("format") != "2":
        raise Fail(0, "log-format", "log format %r is not 2" % root.get("format"))
    agg, kind = root.get("aggregate"), root.get("kind")
    if agg is None or kind is None:
        raise Fail(0, "not-a-log", "no aggregate or kind")
    if not re.match(r"^\d+$", root.get("entries") or ""):
        raise Fail(0, "bad-entry-count", "no entries count")
    # the schema's order: entries, then heads, then server certificates
    order = {Q + "entry": 0, Q + "chain-head": 1, Q + "server-certificate": 2}
    ranks = [order[c.tag] for c in root]
    if ranks != sorted(ranks):
        raise Fail(0, "schema-invalid", "elements of <log> out of order")
    servers = [b64(c, 0, "a server certificate")
               for c in root.findall(Q + "server-certificate")]
    if len(servers) > 16:
        raise Fail(0, "schema-invalid", "more than 16 server certificates")

    entries = root.findall(Q + "entry")
    prev, hashes, times = "0" * 64, [], []
    for i, x in enumerate(entries):
        seq = x.get("seq") or ""
        n = int(seq) if re.match(r"^-?\d{1,18}$", seq) else None
        only(x, {"seq", "time", "party", "role", "person", "clock",
                 "rules", "prev-hash", "hash"},
             {Q + "command", Q + "receipt", Q + "events"}, n or 0, "entry")
        kids = [c.tag for c in x]
        if kids not in ([Q + "command", Q + "events"],
                        [Q + "command", Q + "receipt", Q + "events"]):
            raise Fail(n or 0, "schema-invalid", "entry children %s" % kids)
        for a in ("time", "party", "role", "person", "clock", "prev-hash",
                  "hash"):
            if x.get(a) is None:
                raise Fail(n or 0, "schema-invalid", "entry without " + a)
        if n is None:
            raise Fail(0, "bad-entry", "seq %r" % seq)
        at = iso_ms(x.get("time"), n)
        if x.get("role") not in ROLES:
            raise Fail(n, "bad-entry", "role %r" % x.get("role"))
        if not is_hex32(x.get("prev-hash")) or not is_hex32(x.get("hash")):
            raise Fail(n, "bad-entry", "hashes")
        cmd = b64(x.find(Q + "command"), n, "the command")
        rcpt = x.find(Q + "receipt")
        receipt = b64(rcpt, n, "the receipt") if rcpt is not None else None
        events = x.find(Q + "events")
        if n != i + 1:
            raise Fail(n, "chain-gap", "seq %d at position %d" % (n, i + 1))
        if x.get("prev-hash") != prev:
            raise Fail(n, "chain-broken", "previous hash")
        e = {k: x.get(k) for k in ("seq", "time", "party", "role", "person",
                                   "clock")}
        e["seq"] = str(n)
        # the rules version that decided the entry: hashed as a decimal
        # number 1..32767 when present; absent, version 1, not hashed
        if x.get("rules") is not None:
            r = x.get("rules")
            v = int(r) if re.match(r"^-?\d{1,30}$", r) else 0
            if not 1 <= v <= 32767:
                raise Fail(n, "bad-entry", "rules %r" % r)
            e["rules"] = str(v)
        try:
            body = entry_bytes(agg, kind, e, cmd, receipt, events)
        except Fail as f:
            raise Fail(n, f.reason, f.what)
        h = hashlib.sha256(bytes.fromhex(prev) + n.to_bytes(8, "big", signed=True)
                           + body).hexdigest()
        if h != x.get("hash"):
            raise Fail(n, "hash-mismatch", "content does not give its hash")
        prev = h
        hashes.append(h)
        times.append(at)

        # the signature, at the entry's time, by the recorded actor
        v = ssl.cms_verify(cmd, at // 1000)
        if v is None:
            raise Fail(n, "bad-signature", "the command does not verify")
        content, signer = v
        s = ssl.subject(signer)
        if s.get("OU") == "system" or x.get("role") == "system":
            if signer not in servers:
                raise Fail(n, "system-not-server", "system entry not signed "
                           "by a server certificate")
        if (s.get("OU"), s.get("UID"), s.get("serialNumber")) != \
                (x.get("role"), x.get("party"), x.get("person")):
            raise Fail(n, "signer-not-actor", "signed by %s" % s)
        if receipt is not None:
            t = ssl.receipt(receipt, hashlib.sha256(cmd).hexdigest(),
                            at // 1000)
            if t is None:
                raise Fail(n, "bad-receipt", "the receipt does not verify")
            if t != at:
                raise Fail(n, "receipt-time", "receipt time %d != %d" % (t, at))

    # the signed chain heads
    heads = set()
    for hd in root.findall(Q + "chain-head"):
        only(hd, {"seq", "hash"}, {Q + "signature"}, 0, "chain-head")
        sq = hd.get("seq") or ""
        if not re.match(r"^-?\d{1,18}$", sq) or len(list(hd)) != 1:
            raise Fail(0, "bad-chain-head", "a chain head is malformed")
        k = int(sq)
        if not is_hex32(hd.get("hash")):
            raise Fail(k, "bad-chain-head", "a chain head is malformed")
        sig = b64(hd.find(Q + "signature"), k, "a head signature")
        if k < 1 or k > len(hashes) or hashes[k - 1] != hd.get("hash"):
            raise Fail(k, "chain-head-mismatch", "the signed head at %d does "
                       "not match the chain" % k)
        v = ssl.cms_verify(sig, times[k - 1] // 1000)
        want = "ebid-chain-head:%s:%d:%s" % (agg, k, hd.get("hash"))
        if v is None or v[0] != want.encode() or v[1] not in servers:
            raise Fail(k, "bad-chain-head", "the head at %d is not signed by "
                       "a server certificate over %s" % (k, want))
        heads.add(k)
    if hashes and len(hashes) not in heads:
        raise Fail(len(hashes), "tail-not-signed", "the last entry has no "
                   "signed chain head")
    if int(root.get("entries")) != len(entries):
        raise Fail(0, "entry-count-mismatch", "entries=%s but %d entries"
                   % (root.get("entries"), len(entries)))
    return len(entries), len(heads)


def main(argv):
    args, ca, cache = [], None, None
    it = iter(argv[1:])
    for a in it:
        if a == "--ca":
            ca = next(it, None)
        elif a == "--cache":
            cache = next(it, None)
        elif a.startswith("-"):
            print("usage: verify_log.py LOG.xml --ca ca.crt [--cache DIR]",
                  file=sys.stderr)
            return 2
        else:
            args.append(a)
    if len(args) != 1 or ca is None:
        print("usage: verify_log.py LOG.xml --ca ca.crt [--cache DIR]",
              file=sys.stderr)
        return 2
    if cache:
        os.makedirs(cache, exist_ok=True)
    ssl = Openssl(ca, cache)
    try:
        n, h = verify(args[0], ssl)
    except Fail as f:
        print("FAILED: entry %d does not hold: %s [%s]" % (f.seq, f.what,
                                                            f.reason))
        return 1
    finally:
        subprocess.run(["rm", "-rf", ssl.tmp])
    print("OK: %d entries, %d signed heads" % (n, h))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
