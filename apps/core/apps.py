import sys

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules
        from django_q.signals import pre_enqueue

        from . import numbers, signals  # noqa: F401  (the integer `in` lookup, audit hooks)
        from .jobs import task_guard

        if sys.argv[1:2] == ["qcluster"]:
            from .lifecycle import qcluster_children_die_with_parent

            qcluster_children_die_with_parent()
        # Only code-declared jobs run in the worker (issue 12 §4).
        pre_enqueue.connect(task_guard, dispatch_uid="backoffice_task_guard")

        # Each app may declare invariant checks in <app>/books.py (DESIGN.md §4).
        autodiscover_modules("books")
        # Each app may declare who reads its uploaded files in <app>/media.py.
        from . import media

        media.media_rule("company/", _current_logo, login_required=False)
        autodiscover_modules("media")
        post_migrate.connect(_ensure_stamp, sender=self, dispatch_uid="core_reference_stamp")


def _ensure_stamp(sender, using="default", apps=None, **kwargs):
    """The reference stamp's one row exists after every migrate and every flush (tests flush
    between transactional tests), like the chart and the currencies. A new row takes a random
    value, never the migration's first one: a process may still keep lists loaded under
    that value before the flush (apps.core.reference)."""
    import secrets

    from django.apps import apps as global_apps

    try:
        model = (apps or global_apps).get_model("core", "ReferenceStamp")
    except LookupError:
        return  # migrated back to before the stamp existed
    if not model.objects.using(using).filter(pk=1).exists():
        model.objects.using(using).create(pk=1, value=secrets.randbits(53))


def _current_logo(request, name: str) -> bool:
    """The company logo shows on the login page: public, but only the current file."""
    from .models import CompanySettings

    logo = CompanySettings.load().logo
    return bool(logo) and logo.name == name
