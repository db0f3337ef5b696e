"""Base viewsets: area + need from the role matrix, portal scoping, actor for the audit log."""

from __future__ import annotations

from django.db import models
from rest_framework import mixins, viewsets

from apps.core.request_context import Actor, _current, client_ip


class AuditActorMixin:
    """The middleware publishes the session user; token and JWT users are only known after
    DRF authenticates, so publish them again for the audit log for the view's duration."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._actor_token = _current.set(Actor(user=request.user, ip=client_ip(request)))

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_actor_token", None)
        if token is not None:
            _current.reset(token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class AreaViewSet(AuditActorMixin, viewsets.GenericViewSet):
    """`area` names the role-matrix row; `action_needs` maps actions to needs other than
    read/write; `own_actions` lists the actions portal users may call on their own rows
    (None: portal users never), with `own_filter(queryset, user)` narrowing to their party."""

    area: str = ""
    action_needs: dict[str, str] = {}
    own_actions: tuple[str, ...] | None = None

    def own_filter(self, queryset: models.QuerySet, user) -> models.QuerySet:
        raise NotImplementedError

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self.request, "own_scope", False):
            queryset = self.own_filter(queryset, self.request.user)
        return queryset


class ReadOnlyAreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AreaViewSet):
    pass


class CleanSaveMixin:
    """Plain records without a service (categories, stores, coupons): the model's own
    validation (fields, constraints, the same messages as the forms) runs before saving."""

    def _clean_save(self, serializer, instance):
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        instance.full_clean()
        instance.save()
        serializer.instance = instance

    def perform_create(self, serializer):
        self._clean_save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._clean_save(serializer, serializer.instance)
