"""Automatic audit of create/update/delete for every model with `audit_log = True`.

BaseModel subclasses are audited unless they set `audit_log = False` (append-only ledgers
whose services write their own business events instead).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .audit import audit_record, diff, snapshot
from .models import AuditAction, AuditEvent


def _audited(sender) -> bool:
    return getattr(sender, "audit_log", False) and sender is not AuditEvent


@receiver(pre_save, dispatch_uid="audit_pre_save")
def _remember_old(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or instance._state.adding or instance.pk is None:
        return
    fields = set(update_fields) if update_fields else None
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_old = snapshot(old, fields) if old is not None else {}


@receiver(post_save, dispatch_uid="audit_post_save")
def _record_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender):
        return
    if created:
        audit_record(action=AuditAction.CREATE, subject=instance, changes=snapshot(instance))
        return
    fields = set(update_fields) if update_fields else None
    old = getattr(instance, "_audit_old", {})
    changes = diff(old, snapshot(instance, fields))
    instance._audit_old = {}
    if not changes:
        return
    action = AuditAction.UPDATE
    if "deleted_at" in changes:
        was, now = changes["deleted_at"]
        action = AuditAction.SOFT_DELETE if now and not was else AuditAction.RESTORE
    audit_record(action=action, subject=instance, changes=changes)


@receiver(post_delete, dispatch_uid="audit_post_delete")
def _record_delete(sender, instance, **kwargs):
    if _audited(sender):
        audit_record(action=AuditAction.DELETE, subject=instance, changes=snapshot(instance))


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, subject=user, actor=user, ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, subject=user, actor=user, ip=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("email") or "")[:200]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        changes={"username": username},
        message=f"Failed login for {username}",
        ip=_ip(request) if request is not None else None,
    )


def _ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None
