"""Times the daemon's answers on a synced store, cold then cached, through inline framing
(one JSON line per reply): SDG 11, DUPLICATES and REPORT SDG, whole and filtered by one
municipality (and REPORT SDG by one organization too).

Usage: python3 queries.py PORT MUNICIPALITY ORGANIZATION
"Cold" is the first ask after the daemon started (its answer cache empty); restart
PostgreSQL and drop the OS page cache before for a cold database too (bench_national.sh does).
"""
import socket
import sys
import time

port, muni, org = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for _ in range(600):
    try:
        s = socket.create_connection(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(f"no daemon on port {port}")
replies = s.makefile("rb")


def ask(request):
    t = time.perf_counter()
    s.sendall(request.encode() + b"\r\n")
    line = replies.readline()
    return time.perf_counter() - t, line


requests = ["SDG 11", f"SDG 11 MUNI {muni}", "DUPLICATES", f"DUPLICATES MUNI {muni}",
            "REPORT SDG", f"REPORT SDG MUNI {muni}", f"REPORT SDG ORG {org} MUNI {muni}"]
print(f"{'request':<44}{'cold s':>9}{'cached s':>10}{'reply bytes':>13}")
for r in requests:
    cold, line = ask(r)
    cached, _ = ask(r)
    if line.startswith(b'{"ok":false'):
        print(f"{r}: {line.decode()[:200]}")
    print(f"{r:<44}{cold:>9.3f}{cached:>10.4f}{len(line):>13,}", flush=True)
