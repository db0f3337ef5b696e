"""The `check_books` registry: invariant checks each app contributes (DESIGN.md §4).

An app declares checks in its own `books.py`:

    from apps.core.books import CheckResult, register

    @register("inventory.stock_levels_match_movements")
    def stock_levels() -> CheckResult:
        ...
        return CheckResult(counted=n, violations=[...])

Every check is also run by the test-suite; `run_checks` stores the outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class CheckResult:
    counted: int
    violations: list[str] = field(default_factory=list)
    name: str = ""
    description: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    func: Callable[[], CheckResult]


_CHECKS: dict[str, Check] = {}


def register(name: str, description: str = "") -> Callable:
    """Register an invariant check under a stable dotted name."""

    def decorator(func: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        _CHECKS[name] = Check(
            name=name, description=description or (func.__doc__ or "").strip(), func=func
        )
        return func

    return decorator


def unregister(name: str) -> None:
    _CHECKS.pop(name, None)


def registered_checks() -> list[Check]:
    return sorted(_CHECKS.values(), key=lambda c: c.name)


def run_checks(*, triggered_by: str = "") -> tuple[bool, list[CheckResult]]:
    """Run every registered check, store a BooksCheckRun, return (ok, results)."""
    from .models import BooksCheckRun

    started = time.monotonic()
    results = []
    for check in registered_checks():
        try:
            result = check.func()
        except Exception as exc:  # a crashing check is a failed check, reported, not hidden
            result = CheckResult(
                counted=0, violations=[f"check raised {exc.__class__.__name__}: {exc}"]
            )
        result.name = check.name
        result.description = check.description
        results.append(result)
    ok = all(r.ok for r in results)
    BooksCheckRun.objects.create(
        ran_at=timezone.now(),
        ok=ok,
        duration_ms=int((time.monotonic() - started) * 1000),
        triggered_by=triggered_by[:100],
        results=[
            {
                "name": r.name,
                "description": r.description,
                "counted": r.counted,
                "ok": r.ok,
                "violations": r.violations[:50],
                "violation_count": len(r.violations),
            }
            for r in results
        ],
    )
    return ok, results
