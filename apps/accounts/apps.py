from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_permissions, dispatch_uid="accounts_sync_role_permissions")


def _sync_permissions(sender, using="default", **kwargs):
    """After the last app has migrated (every permission exists), align Groups to MATRIX."""
    from django.apps import apps

    # post_migrate is sent only for apps with a models module, in INSTALLED_APPS order
    last = [a for a in apps.get_app_configs() if a.models_module is not None][-1]
    if sender.label != last.label:
        return
    from .services import role_permissions_sync

    role_permissions_sync(using=using)
