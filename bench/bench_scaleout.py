"""Scale-out, exercised: two web servers (gunicorn) on one PostgreSQL, the django-q2
worker on the Redis broker, concurrent stock removals and seller charges spread over both
servers (bench/load_http.py), then exact outcomes and `check_books` clean.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_scaleout \\
    Q_REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/bench_scaleout.py

Bounded: a few seconds of load (--threads, --requests); every process it starts is
stopped (by PID) before it exits. Figures go to docs/operations.md ("Topology").
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
BIN = Path(PY).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, seconds: float = 90) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer /healthz")


def manage(env, *args) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def main() -> int:
    from bench._common import create_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=120, help="per scenario")
    parser.add_argument("--rebuild", action="store_true", help="drop and recreate the database")
    args = parser.parse_args()

    db_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bo_scaleout")
    redis_url = os.environ.get("Q_REDIS_URL", "redis://127.0.0.1:6379/5")
    if not db_url.startswith("postgres"):
        raise SystemExit("scale-out runs on PostgreSQL: set DATABASE_URL=postgres://...")
    create_database(db_url, rebuild=args.rebuild)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "Q_REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.base",
        "DEBUG": "false",
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--if-empty")
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"database ready in {time.monotonic() - started:.1f}s ({db_url.rsplit('/', 1)[1]})")

    processes: list[subprocess.Popen] = []
    try:
        bases = []
        for _ in range(2):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "backoffice.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--threads",
                        "4",
                        "--worker-class",
                        "gthread",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        processes.append(
            subprocess.Popen(
                [PY, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for base in bases:
            print(f"web {base} healthy after {wait_healthy(base):.1f}s")

        # The broker: a job queued by web server 2 runs in the worker through Redis.
        from load_http import Browser

        accountant = Browser(bases[1])
        accountant.login("accountant@demo.test")
        runs_before = accountant.request("/ledger/books-check/")[1].count("<tr")
        queued = time.monotonic()
        accountant.request("/ledger/books-check/", {})
        while time.monotonic() - queued < 60:
            if accountant.request("/ledger/books-check/")[1].count("<tr") > runs_before:
                print(
                    f"books check queued on web 2 ran in the worker via Redis after "
                    f"{time.monotonic() - queued:.1f}s"
                )
                break
            time.sleep(0.5)
        else:
            raise SystemExit("the worker did not run the queued job (Redis broker)")

        load = subprocess.run(
            [
                PY,
                str(ROOT / "bench" / "load_http.py"),
                "--base",
                ",".join(bases),
                "--threads",
                str(args.threads),
                "--requests",
                str(args.requests),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        print(load.stdout.strip())
        books = subprocess.run(
            [PY, "manage.py", "check_books"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        print(books.stdout.strip().splitlines()[-1] if books.stdout.strip() else books.stderr)
        return load.returncode or books.returncode
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
