"""`make run`'s supervisor (make serve -> honcho + Procfile): SIGINT or SIGTERM to the
process group stops web and worker within 10 s, and when one dies both stop."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.once  # `make run` on a SQLite file of its own, whatever the suite's DB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pids) -> set[int]:
    return {p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)}


def _state(pid: int) -> str:
    try:
        return (
            "zombie"
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
            else "run"
        )
    except OSError:
        return "zombie"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('run') / 'run.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backoffice.settings.base"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return url


@pytest.fixture
def served(database):
    """Start `make serve` in its own process group; yields (process, web pid, worker pid)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "Q_WORKERS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    web = worker = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("make serve did not answer /healthz within 90 s")
    tree = descendants(proc.pid)
    for pid in tree:
        line = cmdline(pid)
        if line.startswith("/bin/sh"):
            continue  # honcho's shell around a Procfile line
        if "gunicorn" in line and web is None and Path(f"/proc/{pid}").exists():
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if "bin/gunicorn" not in cmdline(parent):
                web = pid
        if "qcluster" in line and worker is None:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if "qcluster" not in cmdline(parent):
                worker = pid
    assert web and worker, [cmdline(p) for p in tree]
    yield proc, web, worker, tree
    for pid in alive(tree | {proc.pid}):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stopped_within(pids, seconds: float) -> float:
    start = time.monotonic()
    while alive(pids):
        if time.monotonic() - start > seconds:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - start


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_to_the_process_group_stops_web_and_worker(served, signum):
    proc, _web, _worker, tree = served
    tree |= descendants(proc.pid)  # anything started since /healthz answered
    os.killpg(proc.pid, signum)
    assert stopped_within(tree, 10) <= 10, [cmdline(p) for p in alive(tree)]
    proc.wait(timeout=5)


def test_when_the_web_server_dies_the_worker_stops_too(served):
    proc, web, worker, tree = served
    os.kill(web, signal.SIGKILL)
    assert stopped_within({worker}, 10) <= 10
    assert stopped_within(tree, 10) <= 10
    assert proc.wait(timeout=5) != 0


def test_when_the_worker_dies_the_web_server_stops_too(served):
    proc, web, worker, tree = served
    os.kill(worker, signal.SIGKILL)
    assert stopped_within({web}, 10) <= 10
    assert stopped_within(tree, 10) <= 10
    assert proc.wait(timeout=5) != 0
