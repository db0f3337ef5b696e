"""Base viewsets: area + need from the role matrix, portal scoping, actor for the audit log."""

from __future__ import annotations

from django.db import models
from rest_framework import mixins, viewsets
from rest_framework.response import Response

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
    (None: portal users never), with `own_path` (e.g. "customer__portal_user") naming the
    login that owns a row, or `own_filter(queryset, user)` narrowing to their party."""

    area: str = ""
    action_needs: dict[str, str] = {}
    own_actions: tuple[str, ...] | None = None
    own_path: str = ""

    def own_filter(self, queryset: models.QuerySet, user) -> models.QuerySet:
        if not self.own_path:
            raise NotImplementedError(f"{type(self).__name__} names no own_path")
        return queryset.filter(**{self.own_path: user})

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self.request, "own_scope", False):
            queryset = self.own_filter(queryset, self.request.user)
        return queryset

    @property
    def own_scope(self) -> bool:
        """True when a portal user reaches its own rows (the permission decided)."""
        return getattr(self.request, "own_scope", False)

    def validated(self, serializer_class, data=None, **kwargs) -> dict:
        """The request body (or `data`, e.g. the query) checked by an input serializer: its
        validated data, or a 400 problem with the field errors."""
        body = self.request.data if data is None else data
        serializer = serializer_class(data=body, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, instance, code: int = 200, serializer_class=None, **headers) -> Response:
        """`instance` read again through this view's queryset (annotations, prefetches) and
        serialized: what a write action answers."""
        fresh = self.get_queryset().get(pk=instance.pk)
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code, headers=headers or None)


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


class RecordViewSet(
    CleanSaveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AreaViewSet,
):
    """List, read, create and update plain records (stores, categories, coupons)."""
