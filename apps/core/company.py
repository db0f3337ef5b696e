"""Writes of the company settings.

Apps above core register, per field, what must run around a change of it in the same
transaction (`change_hooks`): a context manager factory that takes its locks on entry
and brings what depends on the field up to date on exit. The catalog registers the
low-stock default (the stores' low/out counters follow it, apps/catalog/hooks.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack

from django.db import transaction

from .models import CompanySettings

change_hooks: dict[str, list[Callable[[], AbstractContextManager]]] = {}


@transaction.atomic
def company_settings_save(*, form) -> CompanySettings:
    """Save a bound, valid CompanySettingsForm, inside the hooks of the fields it changes."""
    with ExitStack() as stack:
        for field in form.changed_data:
            for hook in change_hooks.get(field, ()):
                stack.enter_context(hook())
        return form.save()
