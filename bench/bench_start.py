"""`make run` from a fresh clone: seconds until /healthz answers, a restart, and a stop.

    .venv/bin/python bench/bench_start.py [--port 8097] [--keep]

Clones this checkout's HEAD into a temporary folder (uv's package cache stays warm, as on
a developer's machine), runs `make run` there in its own process group and polls
`/healthz` every 0.1 s. Then SIGTERM to the group (what systemd, `docker stop` and
Procfile runners send) and the seconds until every process of the group is gone; then
`make run` again in the same clone (a restart: environment, migrations and demo data
already there) and a second stop. Prints the load average next to each figure: compare
runs made at similar load (docs/performance.md, "Start and stop").
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def start(clone: Path, port: int, log: Path, limit: float) -> tuple[subprocess.Popen, float]:
    began = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    )
    while not healthy(port):
        if process.poll() is not None:
            sys.exit(f"make run ended with {process.returncode}; see {log}")
        if time.monotonic() - began > limit:
            os.killpg(process.pid, signal.SIGKILL)
            sys.exit(f"no answer from /healthz after {limit:.0f} s; see {log}")
        time.sleep(0.1)
    return process, time.monotonic() - began


def stop(process: subprocess.Popen) -> float:
    began = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    # poll() reaps `make` once it ends: a zombie group leader would keep the group "alive"
    while process.poll() is None or group_alive(process.pid):
        if time.monotonic() - began > 60:
            os.killpg(process.pid, signal.SIGKILL)
            return float("inf")
        time.sleep(0.05)
    process.wait()
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--keep", action="store_true", help="keep the clone afterwards")
    parser.add_argument("--limit", type=float, default=600, help="seconds to wait for /healthz")
    args = parser.parse_args()
    if healthy(args.port):
        sys.exit(f"port {args.port} already answers: stop that server first")
    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    clone = folder / "backoffice"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    log = folder / "make-run.log"
    rows = []
    print(f"clone of {ROOT} at HEAD in {clone}; log {log}")
    for label in ("fresh clone", "restart"):
        before = load()
        process, ready = start(clone, args.port, log, args.limit)
        print(f"{label}: /healthz after {ready:.1f} s (load before {before})", flush=True)
        stopped = stop(process)
        print(f"{label}: stopped by SIGTERM in {stopped:.1f} s (load {load()})", flush=True)
        rows.append((label, ready, stopped, before))
    print("\n| start | /healthz after s | SIGTERM stop s | load before |")
    print("|---|---:|---:|---|")
    for label, ready, stopped, before in rows:
        print(f"| {label} | {ready:.1f} | {stopped:.1f} | {before} |")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
