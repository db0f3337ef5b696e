"""Auth for the API: JWT login/refresh/logout, API tokens, the current user, users (Admin)."""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from apps.core.api.problems import problem_response
from apps.core.api.viewsets import AreaViewSet, AuditActorMixin

from . import services
from .login import normalize_login_email
from .models import APIToken, User
from .roles import Area, Role, has_access

WRONG_LOGIN = "Wrong email or password."


# --- JWT ------------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LoginView(AuditActorMixin, GenericAPIView):
    """Email + password -> a JWT pair. Failed logins count towards the same django-axes
    lockout as the login form (5 failures lock the account for a while: 429)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = LoginSerializer

    @extend_schema(responses={200: TokenPairSerializer}, auth=[])
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=normalize_login_email(data.validated_data["email"]),
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return locked_out_response(request._request)
        if user is None:
            return problem_response(401, WRONG_LOGIN, slug="login", instance=request.path)
        refresh = RefreshToken.for_user(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


def lockout_message() -> str:
    from django.conf import settings

    minutes = int(round(settings.AXES_COOLOFF_TIME * 60))
    return (
        f"Too many failed login attempts: this account is locked for {minutes} minutes. "
        "Try again later or ask an administrator to unlock it."
    )


def locked_out_response(request):
    """django-axes' lockout answer for the API (the form gets the login page)."""
    from django.http import JsonResponse

    from apps.core.api.problems import CONTENT_TYPE, problem

    body = problem(429, lockout_message(), slug="locked-out", instance=request.path)
    return JsonResponse(body, status=429, content_type=CONTENT_TYPE)


class RefreshView(TokenRefreshView):
    """A refresh token -> a new pair; the old refresh token is blacklisted (rotation)."""

    @extend_schema(responses={200: TokenPairSerializer}, auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(GenericAPIView):
    """Blacklist a refresh token: it can no longer be refreshed (access tokens expire soon)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = RefreshSerializer

    @extend_schema(responses={205: None}, auth=[])
    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            RefreshToken(data.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            return problem_response(
                400, str(exc), slug="token", errors={"refresh": [str(exc)]}, instance=request.path
            )
        return Response(status=status.HTTP_205_RESET_CONTENT)


# --- me, tokens, users ----------------------------------------------------------------


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "phone", "roles", "date_joined"]
        read_only_fields = ["id", "email", "roles", "date_joined"]


class MeView(AuditActorMixin, GenericAPIView):
    """The logged-in user's profile (GET) and its editable fields (PUT)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user).data)

    def put(self, request):
        data = self.get_serializer(request.user, data=request.data)
        data.is_valid(raise_exception=True)
        user = services.profile_update(
            user=request.user,
            full_name=data.validated_data.get("full_name", ""),
            phone=data.validated_data.get("phone", ""),
        )
        return Response(self.get_serializer(user).data)


class APITokenSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text="Admin only: whose token."
    )

    class Meta:
        model = APIToken
        fields = [
            "id",
            "name",
            "user",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "status",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret; shown only this once.")

    class Meta(APITokenSerializer.Meta):
        fields = [*APITokenSerializer.Meta.fields, "token"]


class APITokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    AreaViewSet,
):
    """Your API tokens (an Admin sees and manages everyone's). DELETE revokes."""

    queryset = APIToken.objects.select_related("user")
    serializer_class = APITokenSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["user"]
    ordering_fields = ["created_at", "name", "last_used_at"]
    search_fields = ["name", "prefix"]

    def _is_admin(self) -> bool:
        return has_access(self.request.user, Area.ADMINISTRATION, "write")

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self._is_admin() else queryset.filter(user=self.request.user)

    @extend_schema(responses={201: APITokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = data.validated_data.get("user") or request.user
        if owner != request.user and not self._is_admin():
            return problem_response(
                403, "Only an Admin can create tokens for others.", instance=request.path
            )
        token, secret = services.apitoken_create(
            user=owner,
            name=data.validated_data["name"],
            expires_at=data.validated_data.get("expires_at"),
            by=request.user,
        )
        token.token = secret
        return Response(APITokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.apitoken_revoke(token=instance, by=self.request.user)


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=True
    )
    password = serializers.CharField(
        write_only=True, required=False, trim_whitespace=False, max_length=128
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "phone",
            "is_active",
            "roles",
            "date_joined",
            "last_login",
            "password",
        ]
        read_only_fields = ["id", "date_joined", "last_login"]


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AreaViewSet,
):
    """Users and their roles (Admin). Deactivate with `is_active: false`; users are never deleted."""

    area = Area.ADMINISTRATION
    queryset = User.objects.prefetch_related("groups")
    serializer_class = UserSerializer
    filterset_fields = ["is_active", "groups__name"]
    search_fields = ["email", "full_name"]
    ordering_fields = ["email", "full_name", "date_joined", "last_login"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        password = data.get("password") or ""
        if not password:
            raise serializers.ValidationError({"password": ["Give a first password."]})
        try:  # the same validators as the Admin's user form
            password_validation.validate_password(password, User(email=data["email"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        serializer.instance = services.user_create(
            email=data["email"],
            password=password,
            roles=data.get("roles", []),
            full_name=data.get("full_name", ""),
        )

    def perform_update(self, serializer):
        user, data = serializer.instance, serializer.validated_data
        if "email" in data and data["email"].strip().lower() != user.email:
            raise serializers.ValidationError({"email": ["The email cannot be changed here."]})
        serializer.instance = services.user_update(
            user=user,
            full_name=data.get("full_name", user.full_name),
            phone=data.get("phone", user.phone),
            is_active=data.get("is_active", user.is_active),
            roles=data.get("roles", user.roles),
            by=self.request.user,
        )


class APITokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.APITokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Named API token: `Authorization: Token bo_...` (see docs/api.md).",
        }
