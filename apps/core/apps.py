from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import signals  # noqa: F401  (audit hooks)

        # Each app may declare invariant checks in <app>/books.py (DESIGN.md §4).
        autodiscover_modules("books")
