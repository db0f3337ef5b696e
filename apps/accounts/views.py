from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import UpdateView

from apps.core.numbers import whole_number
from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeFormView, BackofficeListView, BackofficeUpdateView

from . import services
from .filters import UserFilter
from .forms import LoginForm, ProfileForm, UserCreateForm, UserUpdateForm
from .models import APIToken, User
from .roles import Area, has_access
from .tables import UserTable


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes lockout response: the login page with a clear message, HTTP 429."""
    from django.conf import settings

    if request.path.startswith("/api/"):
        from .api import locked_out_response

        return locked_out_response(request)
    minutes = int(round(settings.AXES_COOLOFF_TIME * 60))
    form = LoginForm(request, data=request.POST or None)
    form.is_valid()  # bind so the email stays filled in
    form.errors.clear()
    form.add_error(
        None,
        f"Too many failed login attempts: this account is locked for {minutes} minutes. "
        "Try again later or ask an administrator to unlock it.",
    )
    return render(request, "registration/login.html", {"form": form, "locked": True}, status=429)


def token_context(owner, **extra) -> dict:
    return {"tokens": list(owner.api_tokens.all()), **extra}


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("profile")
    success_message = "Profile saved."

    def get_object(self, queryset=None):
        return self.request.user

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **token_context(self.request.user)}


class APITokenCreateView(LoginRequiredMixin, View):
    """POST: a named token for yourself (or, for an Admin, for the user whose page it is).
    The answer is the page again with the secret shown once (never stored, never redirected)."""

    http_method_names = ["post"]

    def post(self, request):
        owner = request.user
        is_admin = has_access(request.user, Area.ADMINISTRATION, "write")
        if request.POST.get("user") and str(request.POST["user"]) != str(request.user.pk):
            if not is_admin:
                raise PermissionDenied
            owner_pk = whole_number(request.POST["user"])
            if owner_pk is None:
                raise Http404("No such user.")
            owner = get_object_or_404(User, pk=owner_pk)
        days = (request.POST.get("expires_in_days") or "").strip()
        number = whole_number(days, most=3650)
        expires_at = None
        extra: dict = {}
        if days and (number is None or number < 1):
            extra["token_error"] = "Give the expiry as 1 to 3650 days, or leave it empty."
        elif days:
            expires_at = timezone.now() + timedelta(days=number)
        if not extra:
            try:
                token, secret = services.apitoken_create(
                    user=owner,
                    name=request.POST.get("name", ""),
                    expires_at=expires_at,
                    by=request.user,
                )
            except ValidationError as exc:
                extra["token_error"] = " ".join(exc.messages)
            else:
                extra["new_token"] = {"name": token.name, "secret": secret}
        if owner == request.user:
            view = ProfileView(request=request, kwargs={}, args=())
            view.object = request.user
            context = view.get_context_data(form=ProfileForm(instance=request.user), **extra)
            return render(
                request, "accounts/profile.html", {**context, **token_context(owner, **extra)}
            )
        view = UserUpdateView(request=request, kwargs={"pk": owner.pk}, args=())
        view.object = owner
        form_kwargs = {
            k: v for k, v in view.get_form_kwargs().items() if k not in ("data", "files")
        }
        context = view.get_context_data(form=view.get_form_class()(**form_kwargs))
        return render(
            request, "accounts/user_form.html", {**context, **token_context(owner, **extra)}
        )


class APITokenRevokeView(LoginRequiredMixin, View):
    """POST: revoke one of your tokens (an Admin: anyone's)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(APIToken, pk=pk)
        if token.user_id != request.user.pk and not has_access(
            request.user, Area.ADMINISTRATION, "write"
        ):
            raise Http404
        services.apitoken_revoke(token=token, by=request.user)
        messages.success(request, f"API token “{token.name}” revoked.")
        next_url = request.POST.get("next", "")
        return redirect(next_url if url_has_allowed_host_and_scheme(next_url, None) else "profile")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")
    success_message = "Password changed."


class UserListView(BackofficeListView):
    area = Area.ADMINISTRATION
    need = "write"
    title = "Users"
    table_class = UserTable
    filterset_class = UserFilter
    create_url_name = "user-create"
    create_label = "New user"

    def get_queryset(self):
        return User.objects.prefetch_related("groups")


class UserCreateView(BackofficeFormView):
    area = Area.ADMINISTRATION
    title = "New user"
    form_class = UserCreateForm
    submit_label = "Create user"
    success_message = "User {object} created."

    def perform(self, form):
        data = form.cleaned_data
        return services.user_create(
            email=data["email"],
            password=data["password1"],
            roles=data["roles"],
            full_name=data["full_name"],
        )

    success_url_name = "user-list"


class UserUpdateView(BackofficeUpdateView):
    area = Area.ADMINISTRATION
    model = User
    form_class = UserUpdateForm
    template_name = "accounts/user_form.html"
    success_message = "User {object} saved."

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **token_context(self.object)}

    def perform(self, form):
        data = form.cleaned_data
        return services.user_update(
            user=User.objects.get(pk=self.object.pk),  # the stored row, not the form's copy
            full_name=data["full_name"],
            phone=data["phone"],
            is_active=data["is_active"],
            roles=data["roles"],
            by=self.request.user,
        )

    success_url_name = "user-list"


class UserActiveToggleView(AreaRequiredMixin, View):
    """POST only: deactivate or reactivate (the update page asks for confirmation)."""

    area = Area.ADMINISTRATION
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        active = request.POST.get("active") == "1"
        try:
            services.user_set_active(user=user, active=active, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{user} {'reactivated' if active else 'deactivated'}.")
        return redirect("user-update", pk=pk)
