"""Process lifecycle helpers for the supervisor (`make run` = honcho + Procfile)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def qcluster_children_die_with_parent() -> None:
    """Every process django-q2's cluster forks (sentinel, workers, monitor, pusher) dies
    with its parent, so a killed `qcluster` leaves no orphan holding the log pipe open and
    the supervisor sees the worker end (and stops the web server too)."""
    os.register_at_fork(after_in_child=die_with_parent)
