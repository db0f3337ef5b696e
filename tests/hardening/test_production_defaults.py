"""Procfile and wsgi/asgi never fall back to the DEBUG base settings (issue 12 §8)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"


def clean_env(**extra):
    drop = {
        "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, **extra}


@pytest.mark.parametrize("module", ["backoffice.wsgi", "backoffice.asgi"])
def test_entry_point_refuses_to_start_without_secret_key(module):
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.parametrize("module", ["backoffice.wsgi", "backoffice.asgi"])
def test_entry_point_uses_production_settings(module):
    env = clean_env(SECRET_KEY="k" * 60, ALLOWED_HOSTS="backoffice.example.com")
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}; {PROBE}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["backoffice.settings.production", "False"]


def test_production_refuses_the_development_secret_key():
    from django.conf import settings  # the base default, shipped in git

    env = clean_env(
        SECRET_KEY=settings.SECRET_KEY
        if "dev-only" in settings.SECRET_KEY
        else "dev-only-insecure-key-change-me-in-production-0123456789",
        ALLOWED_HOSTS="x.example",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import backoffice.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "development SECRET_KEY" in result.stderr


def procfile_commands():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if re.match(r"^\w+:", line))


@pytest.mark.parametrize("process", ["release", "worker"])
def test_procfile_manage_py_processes_use_production_settings(process):
    """Run the Procfile's own command line with the Django command swapped for a probe."""
    command = procfile_commands()[process].strip()
    probe = re.sub(r"manage\.py .*", f"manage.py shell -c '{PROBE}'", command.split("&&")[0])
    env = clean_env(
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="backoffice.example.com",
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    result = subprocess.run(["sh", "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["backoffice.settings.production", "False"]


def test_procfile_web_serves_the_wsgi_entry_point():
    assert procfile_commands()["web"].split()[:2] == ["gunicorn", "backoffice.wsgi"]
