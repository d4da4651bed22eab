#!/usr/bin/env python3
"""Load generator for bench/tcp.sh. Every mode is bounded in connections and time.

  get   HOST PORT                       one GET /, prints the body
  bulk  HOST PORT CONNECTIONS SECONDS   each connection downloads /big repeatedly
                                        (keep-alive); prints MB/s (10^6 bytes)
  churn HOST PORT COUNT                 COUNT short connections, one after another
  idle  HOST PORT COUNT HOLD_SECONDS    opens COUNT connections, sends nothing,
                                        holds them, then closes them
"""
import socket
import sys
import threading
import time

MAX_CONNECTIONS = 20000
MAX_SECONDS = 600


def loopback(host):
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("only 127.0.0.1 may be targeted")
    return "127.0.0.1"


def get(host, port):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1].decode().strip()


def bulk(host, port, connections, seconds):
    deadline = time.monotonic() + seconds
    totals = [0] * connections

    def run(i):
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        with socket.create_connection((host, port), timeout=30) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while time.monotonic() < deadline:
                s.sendall(b"GET /big HTTP/1.1\r\nHost: bench\r\n\r\n")
                head = b""
                while b"\r\n\r\n" not in head:
                    head += s.recv(4096)
                header, body = head.split(b"\r\n\r\n", 1)
                length = int([l for l in header.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
                left = length - len(body)
                totals[i] += len(body)
                while left > 0 and time.monotonic() < deadline:
                    n = s.recv_into(view, min(left, len(buffer)))
                    if n == 0:
                        return
                    left -= n
                    totals[i] += n
                if left > 0:
                    return

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.monotonic() - started
    print(f"{sum(totals) / elapsed / 1e6:.0f}")


def churn(host, port, count):
    for _ in range(count):
        get(host, port)


def idle(host, port, count, hold):
    sockets = []
    for _ in range(count):
        sockets.append(socket.create_connection((host, port), timeout=10))
    print(f"{len(sockets)} connections open", flush=True)
    time.sleep(hold)
    for s in sockets:
        s.close()


def main():
    mode, host, port = sys.argv[1], loopback(sys.argv[2]), int(sys.argv[3])
    if mode == "get":
        print(get(host, port))
    elif mode == "bulk":
        bulk(host, port, min(int(sys.argv[4]), 64), min(float(sys.argv[5]), MAX_SECONDS))
    elif mode == "churn":
        churn(host, port, min(int(sys.argv[4]), MAX_CONNECTIONS))
    elif mode == "idle":
        idle(host, port, min(int(sys.argv[4]), MAX_CONNECTIONS), min(float(sys.argv[5]), MAX_SECONDS))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
