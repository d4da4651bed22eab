#!/usr/bin/env python3
"""Mixed HTTP + TCP load for bench/soak.sh: sticky HTTP clients and short TCP connections spread
over every node of a cluster on loopback, counting requests, errors and sticky violations.

  soak-client.py --http PORT,PORT,.. --tcp PORT,PORT,.. --seconds N [--clients C] [--tcp-rate R]
                 [--csv FILE]

HTTP: C sticky clients. Each keeps its cookie and sends GET /sticky/ to a node chosen at random
for every request (one keep-alive connection per client and node). A request that fails at the
transport (reset, refused, timeout) is retried on another node, up to 3 attempts: GET is
idempotent, so this is what a well-behaved client of a VIP or a DNS round robin does. It counts as
an error only when every attempt failed, or a node answered with a status other than 200.
The first backend a client reaches is its pin; any later answer from another backend is a sticky
violation (the soak keeps every backend up, so nothing may move a session).

TCP: R new connections per second, each to a random node's TCP listener, one GET with
Connection: close, answer read to the end. A connect that fails (a node down) is tried on the next
node, as a client with several addresses would; an error when every node refused, the connection
broke after connecting, or the answer is not 200.

Every 10 s a line goes to stdout; --csv gets one row per second: t, http_ok, http_err, tcp_ok,
tcp_err, violations. Ends with a summary line "SUMMARY ...". Only 127.0.0.1 is targeted; the run
is bounded by --seconds (at most 7200).
"""
import argparse
import asyncio
import random
import sys
import time

HOST = "127.0.0.1"
MAX_SECONDS = 7200
TIMEOUT = 5.0


class Counters:
    def __init__(self):
        self.http_ok = self.http_err = self.tcp_ok = self.tcp_err = 0
        self.violations = self.retries = 0
        self.latencies = []

    def snapshot(self):
        return (self.http_ok, self.http_err, self.tcp_ok, self.tcp_err, self.violations)


async def read_response(reader):
    """Reads one HTTP/1.1 response; returns (status, headers dict lower-cased, keep_alive)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed before an answer")
    status = int(status_line.split()[1])
    headers = {}
    cookies = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "set-cookie":
            cookies.append(value.strip())
        headers[name] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    keep_alive = headers.get("connection", "").lower() != "close"
    return status, headers, cookies, keep_alive


class StickyClient:
    def __init__(self, index, ports, counters):
        self.index = index
        self.ports = ports
        self.counters = counters
        self.cookie = None
        self.pin = None
        self.connections = {}

    async def close_all(self):
        for _, writer in self.connections.values():
            writer.close()
        self.connections.clear()

    async def request_once(self, port):
        if port not in self.connections:
            self.connections[port] = await asyncio.wait_for(asyncio.open_connection(HOST, port), TIMEOUT)
        reader, writer = self.connections[port]
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        writer.write(f"GET /sticky/ HTTP/1.1\r\nHost: soak\r\n{cookie}\r\n".encode())
        try:
            await writer.drain()
            status, headers, cookies, keep_alive = await asyncio.wait_for(read_response(reader), TIMEOUT)
        except BaseException:
            self.connections.pop(port, None)
            writer.close()
            raise
        if not keep_alive:
            self.connections.pop(port, None)
            writer.close()
        for c in cookies:
            self.cookie = c.split(";", 1)[0]
        return status, headers.get("x-backend")

    async def request(self):
        ports = random.sample(self.ports, len(self.ports))
        for attempt in range(3):
            try:
                status, backend = await self.request_once(ports[attempt % len(ports)])
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
                self.counters.retries += 1
                continue
            if status != 200:
                self.counters.http_err += 1
                return
            self.counters.http_ok += 1
            if self.pin is None:
                self.pin = backend
            elif backend != self.pin:
                self.counters.violations += 1
                print(f"violation: client {self.index} pinned to {self.pin} answered by {backend}", flush=True)
                self.pin = backend
            return
        self.counters.http_err += 1

    async def run(self, deadline, pause):
        try:
            while time.monotonic() < deadline:
                await self.request()
                await asyncio.sleep(pause * random.uniform(0.5, 1.5))
        finally:
            await self.close_all()


async def tcp_once(ports, counters):
    try:
        for attempt, port in enumerate(random.sample(ports, len(ports))):
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), TIMEOUT)
                break
            except (OSError, asyncio.TimeoutError):
                counters.retries += 1
                if attempt == len(ports) - 1:
                    raise
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
            await writer.drain()
            status, _, _, _ = await asyncio.wait_for(read_response(reader), TIMEOUT)
        finally:
            writer.close()
        if status == 200:
            counters.tcp_ok += 1
        else:
            counters.tcp_err += 1
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
        counters.tcp_err += 1


async def tcp_load(ports, rate, deadline, counters):
    pending = set()
    interval = 1.0 / rate
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        task = asyncio.ensure_future(tcp_once(ports, counters))
        pending.add(task)
        task.add_done_callback(pending.discard)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if pending:
        await asyncio.wait(pending, timeout=TIMEOUT * 2)


async def report(counters, deadline, csv_path, started):
    csv = open(csv_path, "w") if csv_path else None
    if csv:
        csv.write("t,http_ok,http_err,tcp_ok,tcp_err,violations\n")
    last = counters.snapshot()
    ten = last
    second = 0
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        second += 1
        now = counters.snapshot()
        delta = [a - b for a, b in zip(now, last)]
        last = now
        if csv:
            csv.write(f"{second}," + ",".join(str(d) for d in delta) + "\n")
            csv.flush()
        if second % 10 == 0:
            d = [a - b for a, b in zip(now, ten)]
            ten = now
            print(f"t={second:5d}s http {d[0] / 10:7.1f}/s err {d[1]:4d} | tcp {d[2] / 10:6.1f}/s err {d[3]:4d} | violations {d[4]}",
                  flush=True)
    if csv:
        csv.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--http", required=True, help="HTTP listener ports, comma-separated")
    parser.add_argument("--tcp", default="", help="TCP listener ports, comma-separated")
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pause", type=float, default=0.1, help="mean seconds between one client's requests")
    parser.add_argument("--tcp-rate", type=float, default=50.0)
    parser.add_argument("--csv")
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS:
        sys.exit(f"--seconds must be from 1 to {MAX_SECONDS}")
    http_ports = [int(p) for p in args.http.split(",") if p]
    tcp_ports = [int(p) for p in args.tcp.split(",") if p]
    counters = Counters()
    started = time.monotonic()
    deadline = started + args.seconds
    clients = [StickyClient(i, http_ports, counters) for i in range(args.clients)]
    tasks = [asyncio.ensure_future(c.run(deadline, args.pause)) for c in clients]
    if tcp_ports and args.tcp_rate > 0:
        tasks.append(asyncio.ensure_future(tcp_load(tcp_ports, args.tcp_rate, deadline, counters)))
    tasks.append(asyncio.ensure_future(report(counters, deadline, args.csv, started)))
    await asyncio.gather(*tasks)
    c = counters
    print(f"SUMMARY http_ok={c.http_ok} http_err={c.http_err} tcp_ok={c.tcp_ok} tcp_err={c.tcp_err} "
          f"violations={c.violations} retries={c.retries} clients={args.clients} unpinned={sum(1 for x in clients if x.pin is None)}",
          flush=True)


if __name__ == "__main__":
    asyncio.run(main())
