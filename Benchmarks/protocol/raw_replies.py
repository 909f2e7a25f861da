#!/usr/bin/env python3
"""Replies per second for one RESP command, read as raw bytes (no parsing).

redis-benchmark parses every reply with hiredis; for a reply that is a nested array of
thousands of elements (SDG 11), the client's parsing, not the server, sets the rate.
This client sends the command on N connections and reads exactly SIZE bytes per reply,
so both servers are measured on getting the bytes out.

Usage: raw_replies.py PORT "COMMAND ARGS" SIZE [--seconds 3] [--connections 8]
"""
import argparse
import socket
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("command")
parser.add_argument("size", type=int, help="bytes of one reply")
parser.add_argument("--seconds", type=float, default=3.0)
parser.add_argument("--connections", type=int, default=8)
args = parser.parse_args()

words = [w.encode() for w in args.command.split()]
request = b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words)
counts = [0] * args.connections


def worker(index: int) -> None:
    conn = socket.create_connection(("127.0.0.1", args.port))
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        conn.sendall(request)
        received = 0
        while received < args.size:
            chunk = conn.recv(1 << 20)
            if not chunk:
                return
            received += len(chunk)
        counts[index] += 1
    conn.close()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{sum(counts) / args.seconds:.0f}")
