#!/usr/bin/env python3
"""Slow and idle connections against a Hepatica server on 127.0.0.1, while
probing /healthz. Used by scripts/slowloris.sh; loopback only, bounded in
connections and time.

    slowloris.py HOST:PORT CONNECTIONS SECONDS SERVER_PID [HEALTH_HOST:PORT]

A third of the connections send nothing, a third send a request head one
header line a second and never finish it, a third send a 100 KB unfinished
head at once. Connections the server closes are reopened, so the pressure
stays at CONNECTIONS. Every 50 ms a fresh connection asks GET /healthz on the
public listener; its latency is recorded. With HEALTH_HOST:PORT (the
server's --health-addr) the same probe also goes to the health listener, and
both sets of figures are printed. Prints one RESULT line; exits 1 if any
probe failed or a p99 latency reached SLOW_P99_MS (environment, default 100 ms);
SLOW_GATE=health judges only the health listener's probes (the public ones
are still printed), for a run meant to fill the public connection cap.
SLOW_ADDRESSES (default 4) is how many loopback addresses the attack uses.
"""
import os
import resource
import select
import socket
import sys
import time


def probe(addr, source):
    """GET /healthz on a fresh connection from `source`: (answered 200, milliseconds)."""
    t0 = time.monotonic()
    try:
        p = socket.create_connection(addr, timeout=2, source_address=(source, 0))
        p.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        buf = b""
        while True:
            d = p.recv(4096)
            if not d:
                break
            buf += d
        p.close()
        return buf.startswith(b"HTTP/1.1 200"), (time.monotonic() - t0) * 1000
    except OSError:
        return False, 0.0


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("slowloris: loopback only")
    port = int(port)
    target = int(sys.argv[2])
    seconds = float(sys.argv[3])
    server_pid = sys.argv[4] if len(sys.argv) > 4 else None
    health = None
    if len(sys.argv) > 5 and sys.argv[5]:
        hhost, hport = sys.argv[5].rsplit(":", 1)
        if hhost not in ("127.0.0.1", "localhost"):
            sys.exit("slowloris: loopback only")
        health = (hhost, int(hport))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, target + 512))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    addresses = max(1, min(200, int(os.environ.get("SLOW_ADDRESSES", "4"))))
    socks = {}  # socket -> (kind, next_send_time)
    opened = closed_by_server = 0
    big = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + b"a" * 100_000

    # One poller for the run (registering 2,000 sockets on every pass made a
    # pass take ~0.4 s, so few probes were sent).
    poller = select.poll()
    by_fd = {}

    def open_one(kind):
        nonlocal opened
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        # The attack comes from SLOW_ADDRESSES loopback addresses (default
        # four, 127.0.0.10-13), the probes from others (127.0.0.2 and .3): a flood from many places, and a
        # load balancer or kubelet that is not one of them. (From one address
        # the per-address cap, 1,024 by default, refuses the flood and the probe alike.)
        s.bind(("127.0.0.%d" % (10 + opened % addresses), 0))
        s.connect_ex((host, port))
        socks[s] = [kind, time.monotonic() + 0.2, 0]
        by_fd[s.fileno()] = s
        poller.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
        opened += 1

    kinds = ("idle", "slow", "big")
    for i in range(target):
        open_one(kinds[i % 3])

    latencies, failures = [], 0
    h_latencies, h_failures = [], 0
    peak_rss_kb = 0
    start = time.monotonic()
    next_probe = start + 0.5
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        # Feed the slow and big connections.
        for s, st in list(socks.items()):
            kind, due, step = st
            if kind == "idle" or now < due:
                continue
            try:
                if kind == "slow":
                    payload = b"GET / HTTP/1.1\r\nHost: localhost\r\n" if step == 0 else b"X-Slow-%d: x\r\n" % step
                    s.send(payload)
                    st[1], st[2] = now + 1.0, step + 1
                elif kind == "big" and step == 0:
                    s.send(big)
                    st[2] = 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass
        # Reap connections the server closed, and reopen them.
        # poll(), not select(): descriptors above 1023 are normal with 2,000 sockets.
        ready = [by_fd[fd] for fd, _ in poller.poll(0) if fd in by_fd]
        for s in ready:
            try:
                data = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data or data.startswith(b"HTTP/1.1 4"):
                kind = socks.pop(s)[0]
                poller.unregister(s)
                del by_fd[s.fileno()]
                s.close()
                closed_by_server += 1
                open_one(kind)
        # Probe /healthz on a fresh connection (public listener, then the health listener).
        if now >= next_probe:
            next_probe = now + 0.05
            ok, ms = probe((host, port), "127.0.0.2")
            if ok:
                latencies.append(ms)
            else:
                failures += 1
            if health:
                ok, ms = probe(health, "127.0.0.3")
                if ok:
                    h_latencies.append(ms)
                else:
                    h_failures += 1
            if server_pid:
                try:
                    with open(f"/proc/{server_pid}/status") as f:
                        for line in f:
                            if line.startswith("VmRSS:"):
                                peak_rss_kb = max(peak_rss_kb, int(line.split()[1]))
                except OSError:
                    pass
        time.sleep(0.01)
    for s in socks:
        s.close()
    latencies.sort()
    h_latencies.sort()

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    p99 = pct(latencies, 0.99)
    line = (
        "RESULT connections=%d seconds=%.0f opened=%d closed_by_server=%d probes=%d failed=%d "
        "healthz_p50_ms=%.1f healthz_p99_ms=%.1f healthz_max_ms=%.1f server_peak_rss_mb=%.0f"
        % (target, seconds, opened, closed_by_server, len(latencies) + failures, failures,
           pct(latencies, 0.5), p99, latencies[-1] if latencies else float("nan"), peak_rss_kb / 1024)
    )
    limit_ms = float(os.environ.get("SLOW_P99_MS", "100"))
    # SLOW_GATE=health gates only the health listener (for a run meant to fill the public cap).
    gate_public = os.environ.get("SLOW_GATE", "both") != "health" or not health
    ok = (failures == 0 and latencies and p99 < limit_ms) or not gate_public
    if health:
        h_p99 = pct(h_latencies, 0.99)
        line += (
            " health_listener_probes=%d health_listener_failed=%d health_listener_p50_ms=%.1f "
            "health_listener_p99_ms=%.1f health_listener_max_ms=%.1f"
            % (len(h_latencies) + h_failures, h_failures, pct(h_latencies, 0.5), h_p99,
               h_latencies[-1] if h_latencies else float("nan"))
        )
        ok = ok and h_failures == 0 and h_latencies and h_p99 < limit_ms
    print(line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
