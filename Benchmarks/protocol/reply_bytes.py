#!/usr/bin/env python3
"""The raw bytes a daemon answers to fixed sets of requests, as one sha256 per set.

A change made only for speed must leave every reply byte-identical: run this against the
daemon before and after (each on an empty or the same database) and compare the lines.
The sets cover RESP and inline framing, JSON and RESP output modes, RESP3, errors (CR/LF in
an error text included), a fatal protocol error and a pipelined run of PINGs.

Usage: reply_bytes.py PORT [--show]
"""
import hashlib
import socket
import sys


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


SETS = {
    "resp": b"".join(
        [resp("PING"), resp("PING", "hello"), resp("PING", "a\r\nb"), resp("ping"), resp("Ping", "x y"),
         resp("NOSUCH", "1"), resp("AUTH", "x"), resp("SELECT", "0"), resp("SELECT", "1"), resp("SELECT"),
         resp("CLIENT", "SETNAME", "foo"), resp("CLIENT", "GETNAME"), resp("OUTPUT"), resp("OUTPUT", "json"),
         resp("PING"), resp("PING", "東京"), resp("OUTPUT", "resp"), resp("PING"), resp("OUTPUT", "auto"),
         resp("OUTPUT", "bogus"), resp("HELP"), resp("HELP", "PING"), resp("COMMAND", "COUNT"), resp("SDG", "11"),
         resp("SDG", "99"), resp("PING", "a", "b"), resp("HELLO", "4"), resp("USAGE")]
        + [resp("PING")] * 40 + [resp("QUIT")]),
    "inline": b"PING\r\nPING hi\r\nping \"a b\"\r\nFOO bar\r\n\r\nHELP PING\r\nOUTPUT resp\r\nPING\r\nOUTPUT\r\n"
              b"OUTPUT json\r\nSDG 11\r\nPING 'x'\r\nPING \"unbalanced\r\nQUIT\r\n",
    "fatal": resp("PING") + b"*1\r\n$x\r\n",
    "crlf": resp("NOSUCH\r\nX") + resp("PING", "") + resp("CLIENT", "GETNAME") + resp("QUIT"),
    "resp3": resp("HELLO", "3") + resp("PING") + resp("CLIENT", "GETNAME") + resp("OUTPUT", "json") + resp("PING")
             + resp("OUTPUT", "auto") + resp("HELP", "PING") + resp("SDG", "1") + resp("QUIT"),
}

for name, data in SETS.items():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(data)
    s.settimeout(5)
    got = b""
    try:
        while chunk := s.recv(65536):
            got += chunk
    except socket.timeout:
        pass
    if name == "resp3":
        got = got.split(b"modules", 1)[1]  # HELLO's reply holds the connection id
    print(name, len(got), hashlib.sha256(got).hexdigest())
    if "--show" in sys.argv:
        print(repr(got))
