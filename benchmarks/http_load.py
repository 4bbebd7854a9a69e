"""Loopback HTTP load against the real production server (gunicorn with gunicorn.conf.py).

Why it exists: to size the web tier and to decide settings such as DATABASE_POOL by measurement.
It starts `gunicorn` from the repository (so gunicorn.conf.py applies, as in the image) on a free
port of 127.0.0.1 with the environment it is given, drives it with CLIENTS keep-alive clients for
SECONDS seconds over the given paths, and prints throughput, latency percentiles, errors, the
server's memory and the most PostgreSQL connections it held. Bounded in time; loopback only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_load ADMIN_TOKEN=... \\
      .venv/bin/python benchmarks/http_load.py --clients 32 --seconds 20 \\
      --path /healthz --path /admin/users --label "pool off"
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn stopped before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn never answered /healthz")


def tree_rss_mb(pid):
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid]
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                fields = (child / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(child.name))
    for each in pids:
        try:
            for line in (Path("/proc") / str(each) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def database_connections(database_url):
    """Connections open to the benchmark's database (PostgreSQL only), or None."""
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()
    return row[0]


def client(port, paths, headers, stop_at, latencies, errors):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    turn = 0
    while time.monotonic() < stop_at:
        path = paths[turn % len(paths)]
        turn += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--path", action="append", dest="paths")
    parser.add_argument("--label", default="")
    options = parser.parse_args()
    paths = options.paths or ["/healthz"]
    port = free_port()
    env = {**os.environ, "ENV_FILE": "", "DEBUG": "true"}
    headers = {"Host": "127.0.0.1"}
    if env.get("ADMIN_TOKEN"):
        headers["Authorization"] = f"Bearer {env['ADMIN_TOKEN']}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, server)
        latencies, errors, most_connections, peak_rss = [], [], 0, 0.0
        stop_at = time.monotonic() + options.seconds
        threads = [
            threading.Thread(target=client, args=(port, paths, headers, stop_at, latencies, errors))
            for _ in range(options.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(1)
            peak_rss = max(peak_rss, tree_rss_mb(server.pid))
            count = database_connections(env.get("DATABASE_URL", ""))
            most_connections = max(most_connections, count or 0)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(
        f"{options.label or 'run'}: {len(latencies) / elapsed:.0f} req/s, "
        f"p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms, "
        f"p99 {cuts[98] * 1000:.1f} ms, errors {len(errors)}, "
        f"server RSS {peak_rss:.0f} MB, most DB connections {most_connections} "
        f"({options.clients} clients, {options.seconds:g} s, paths {' '.join(paths)})"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
