#!/usr/bin/env python3
# tests/fuzz/keyframe_seeds.py
#    Writes the seed corpus of keyframe_fuzzer (tests/fuzz/keyframe_corpus/):
#    one file per frame shape of protocol/keyframe.h, valid and not.  The
#    first byte of each file says the side: 0 a request, 1 a reply.
#    usage: python3 tests/fuzz/keyframe_seeds.py [OUTDIR]
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "keyframe_corpus")
os.makedirs(out, exist_ok=True)

READY, SIGN, STAMP, OPENING_KEY, OPEN_BEGIN, OPEN_BID, OPEN_END = range(1, 8)


def part(b):
    return struct.pack(">I", len(b)) + b


def u64(v):
    return part(struct.pack(">Q", v))


def frame(side, t, status, payload, magic=b"EK", length=None):
    n = len(payload) if length is None else length
    return bytes([side]) + magic + bytes([t, status]) + \
        struct.pack(">I", n) + payload


def err(code, reason, primary, hint):
    return u64(code) + part(reason) + part(primary) + part(hint)


cert = bytes.fromhex("3082") + b"\x01" * 300   # not a certificate: bytes
seeds = {
    "sign-request": frame(0, SIGN, 0, part(b"<chain-head/>")),
    "sign-reply": frame(1, SIGN, 0, part(b"\x30\x82" + b"\x00" * 64)),
    "stamp-request": frame(0, STAMP, 0, part(b"\x11" * 32) +
                           u64(1767225600000) + u64(4242)),
    "stamp-reply-error": frame(1, STAMP, 1, err(9, b"key-process-failed",
                               b"no TSA configured", b"Set tsa_cert.")),
    "opening-key-request": frame(0, OPENING_KEY, 0, part(b"T-2026-0001") +
                                 u64(1) + u64(2) + u64(1) +
                                 part(b"custodian1") + part(cert)),
    "opening-key-reply": frame(1, OPENING_KEY, 0,
                               part(b"<set-opening-key tender=\"T\"/>")),
    "open-begin-request": frame(0, OPEN_BEGIN, 0, part(cert) + u64(2) +
                                part(b"QUJD") + part(b"REVG") +
                                part(b"R0hJ")),
    "open-begin-reply": frame(1, OPEN_BEGIN, 0, u64(7)),
    "open-bid-request": frame(0, OPEN_BID, 0, u64(7) + part(b"\x30" * 100)),
    "open-bid-reply": frame(1, OPEN_BID, 0, part(b"\x30\x80" * 20)),
    "open-end-request": frame(0, OPEN_END, 0, u64(7)),
    "open-end-reply": frame(1, OPEN_END, 0, part(b"")),
    "ready": frame(1, READY, 0, b""),
    "ready-failed": frame(1, READY, 1, err(15, b"key-mismatch",
                          b"signing key: does not match", b"")),
    # refused
    "bad-magic": frame(0, SIGN, 0, part(b"x"), magic=b"KE"),
    "unknown-type": frame(0, 99, 0, b""),
    "request-with-status": frame(0, SIGN, 1, part(b"x")),
    "stamp-short-digest": frame(0, STAMP, 0, part(b"\x11" * 31) + u64(1) +
                                u64(2)),
    "part-past-end": frame(0, SIGN, 0, struct.pack(">I", 1000) + b"abc"),
    "too-long": frame(0, OPEN_END, 0, u64(7) + b"\x00" * 4),
    "custodian-without-cert": frame(0, OPENING_KEY, 0, part(b"T") + u64(1) +
                                    u64(2) + u64(1) + part(b"c1") +
                                    part(cert) + part(b"c2")),
    "truncated-length": frame(0, OPEN_BID, 0, u64(7) + b"\x00\x00"),
    "huge-declared": frame(0, SIGN, 0, b"", length=0xFFFFFFFF),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(seeds), out))
