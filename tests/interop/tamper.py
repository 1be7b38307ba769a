#!/usr/bin/env python3
"""
tests/interop/tamper.py
   N random tamperings of an exported log; ebid-audit verify and the
   independent verify_log.py must give the same verdict (0 holds, 1 does
   not) on every one, and on the untouched log.

   tamper.py LOG.xml --ca ca.crt --audit EBID-AUDIT [--n 100] [--seed S]
             [--work DIR]
   exit 0 when they agree on every copy; prints one line per kind of
   tampering (how many copies, how many held) and every disagreement.

   The tamperings are text edits of the export, as a forger with an editor
   would make them: a character of an entry's recorded field, of an event's
   attribute or text, or of a base64 block (command, receipt, head
   signature, server certificate) changed; an entry deleted, duplicated or
   swapped with the next; a signed head deleted or its seq or hash changed;
   the entries count, the aggregate or the export time changed; the tail
   cut (heads and count fixed); a server certificate removed; whitespace
   added between elements.  Some must hold (the export time, whitespace):
   agreement is what is tested, not failure.
"""
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def other(ch, rnd):
    if ch in "0123456789abcdef" and ch not in "ghijklmnopqrstuvwxyz":
        pool = "0123456789abcdef"
    elif ch.isdigit():
        pool = "0123456789"
    elif ch.isalpha() and ch.isascii():
        pool = "abcdefghijklmnopqrstuvwxyz" if ch.islower() else \
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    else:
        pool = "xyz-_.:"
    c = ch
    while c == ch:
        c = rnd.choice(pool)
    return c


def flip_in(x, start, end, rnd, avoid_tail=0):
    """change one character of x[start:end]"""
    if end - start - avoid_tail <= 0:
        return None
    i = rnd.randrange(start, end - avoid_tail)
    return x[:i] + other(x[i], rnd) + x[i + 1:]


def spans(x, pattern):
    return [m.span(1) for m in re.finditer(pattern, x, flags=re.S)]


def entries(x):
    return [m.span() for m in re.finditer(r"<entry .*?</entry>", x, flags=re.S)]


def heads(x):
    return [m.span() for m in re.finditer(r"<chain-head .*?</chain-head>", x,
                                          flags=re.S)]


def t_entry_field(x, rnd):
    s = spans(x, r'<entry [^>]*?\b(?:seq|time|party|role|person|clock|rules|'
                 r'prev-hash|hash)="([^"]*)"')
    a, b = rnd.choice(s)
    return flip_in(x, a, b, rnd)


def t_event_attr(x, rnd):
    s = spans(x, r'<events\b[^>]*>(.*?)</events>')
    a, b = rnd.choice(s)
    inner = x[a:b]
    vals = [m.span(1) for m in re.finditer(r'="([^"]+)"', inner)]
    if not vals:
        return None
    va, vb = rnd.choice(vals)
    return flip_in(x, a + va, a + vb, rnd)


def t_event_text(x, rnd):
    s = spans(x, r'<events\b[^>]*>(.*?)</events>')
    a, b = rnd.choice(s)
    texts = [m.span(1) for m in re.finditer(r'>([^<>]+)</', x[a:b])]
    if not texts:
        return None
    ta, tb = rnd.choice(texts)
    return flip_in(x, a + ta, a + tb, rnd)


def t_base64(x, rnd):
    s = spans(x, r'<(?:command|receipt|signature|server-certificate)>'
                 r'([A-Za-z0-9+/=\s]+)</')
    a, b = rnd.choice(s)
    # not the last quantum: its unused bits would decode to the same bytes
    i = rnd.randrange(a, b - 4)
    if x[i] not in B64:
        return None
    c = x[i]
    while c == x[i]:
        c = rnd.choice(B64)
    return x[:i] + c + x[i + 1:]


def t_delete_entry(x, rnd):
    a, b = rnd.choice(entries(x))
    return x[:a] + x[b:]


def t_duplicate_entry(x, rnd):
    a, b = rnd.choice(entries(x))
    return x[:b] + x[a:b] + x[b:]


def t_swap_entries(x, rnd):
    e = entries(x)
    if len(e) < 2:
        return None
    k = rnd.randrange(len(e) - 1)
    (a, b), (c, d) = e[k], e[k + 1]
    return x[:a] + x[c:d] + x[b:c] + x[a:b] + x[d:]


def t_delete_head(x, rnd):
    a, b = rnd.choice(heads(x))
    return x[:a] + x[b:]


def t_head_field(x, rnd):
    s = spans(x, r'<chain-head [^>]*?\b(?:seq|hash)="([^"]*)"')
    a, b = rnd.choice(s)
    return flip_in(x, a, b, rnd)


def t_count(x, rnd):
    m = re.search(r' entries="(\d+)"', x)
    n = int(m.group(1)) + rnd.choice([-2, -1, 1, 7])
    return x[:m.start(1)] + str(max(n, 0)) + x[m.end(1):]


def t_aggregate(x, rnd):
    a, b = spans(x, r'<log [^>]*?\baggregate="([^"]*)"')[0]
    return flip_in(x, a, b, rnd)


def t_exported_at(x, rnd):
    s = spans(x, r'<log [^>]*?\bexported-at="([^"]*)"')
    if not s:
        return None
    a, b = s[0]
    return x[:a] + "2030-01-01T00:00:00.000Z" + x[b:]


def t_cut_tail(x, rnd):
    e = entries(x)
    keep = rnd.randrange(1, len(e))
    y = x[:e[keep - 1][1]] + x[e[-1][1]:]

    def head_keep(m):
        return m.group(0) if int(m.group(1)) <= keep else ""
    y = re.sub(r'<chain-head [^>]*?seq="(\d+)".*?</chain-head>', head_keep,
               y, flags=re.S)
    return re.sub(r' entries="\d+"', ' entries="%d"' % keep, y, count=1)


def t_drop_server(x, rnd):
    s = [m.span() for m in re.finditer(
        r"<server-certificate>.*?</server-certificate>", x, flags=re.S)]
    if not s:
        return None
    a, b = rnd.choice(s)
    return x[:a] + x[b:]


def t_whitespace(x, rnd):
    s = [m.end() for m in re.finditer(r"</(?:entry|chain-head|events|command)>",
                                      x)]
    i = rnd.choice(s)
    return x[:i] + rnd.choice(["\n", "  ", "\n\t", "\r\n "]) + x[i:]


KINDS = [t_entry_field, t_event_attr, t_event_text, t_base64,
         t_delete_entry, t_duplicate_entry, t_swap_entries, t_delete_head,
         t_head_field, t_count, t_aggregate, t_exported_at, t_cut_tail,
         t_drop_server, t_whitespace]


def guarded(kind):
    def run(x, rnd):
        try:
            return kind(x, rnd)
        except IndexError:          # nothing of that kind in this log
            return None
    run.__name__ = kind.__name__
    return run


KINDS = [guarded(k) for k in KINDS]


def verdicts(path, ca, audit, cache):
    a = subprocess.run([audit, "verify", path, "--ca", ca],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    p = subprocess.run([sys.executable, os.path.join(HERE, "verify_log.py"),
                        path, "--ca", ca, "--cache", cache],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return a, p


def main(argv):
    opts = {"--n": "100", "--seed": "13", "--work": None}
    it, log, ca, audit = iter(argv[1:]), None, None, None
    for a in it:
        if a == "--ca":
            ca = next(it)
        elif a == "--audit":
            audit = next(it)
        elif a in opts:
            opts[a] = next(it)
        else:
            log = a
    if not (log and ca and audit):
        print(__doc__, file=sys.stderr)
        return 2
    rnd = random.Random("%s:%s" % (opts["--seed"], os.path.basename(log)))
    work = opts["--work"] or tempfile.mkdtemp(prefix="tamper.")
    cache = os.path.join(work, "cache")
    os.makedirs(cache, exist_ok=True)
    with open(log, encoding="utf-8") as f:
        x = f.read()
    bad = 0
    a, p = verdicts(log, ca, audit, cache)
    if a.returncode != 0 or p.returncode != 0:
        print("the untouched log: ebid-audit %d, verify_log.py %d"
              % (a.returncode, p.returncode))
        print(a.stdout.decode()[-600:], p.stdout.decode()[-600:])
        bad += 1
    stats = {}
    n = int(opts["--n"])
    done = 0
    while done < n:
        kind = rnd.choice(KINDS)
        y = kind(x, rnd)
        if y is None or y == x:
            continue
        done += 1
        path = os.path.join(work, "t%03d.xml" % done)
        with open(path, "w", encoding="utf-8") as f:
            f.write(y)
        a, p = verdicts(path, ca, audit, cache)
        st = stats.setdefault(kind.__name__[2:], [0, 0])
        st[0] += 1
        st[1] += a.returncode == 0
        if a.returncode != p.returncode or a.returncode not in (0, 1):
            bad += 1
            print("DISAGREE on %s (%s): ebid-audit exit %d, verify_log.py "
                  "exit %d" % (path, kind.__name__, a.returncode,
                               p.returncode))
            print("  ebid-audit:   " + a.stdout.decode()[-400:].strip()
                  .replace("\n", "\n    "))
            print("  verify_log.py: " + p.stdout.decode()[-400:].strip())
        else:
            os.unlink(path)
    for k in sorted(stats):
        print("%-16s %3d copies, %3d held" % (k, stats[k][0], stats[k][1]))
    print("%s: %d tamperings, %d disagreements" % (os.path.basename(log), n,
                                                   bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
