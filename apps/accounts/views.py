from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import UpdateView

from apps.core.permissions import AreaRequiredMixin
from apps.core.views import BackofficeFormView, BackofficeListView, BackofficeUpdateView

from . import services
from .filters import UserFilter
from .forms import LoginForm, ProfileForm, UserCreateForm, UserUpdateForm
from .models import User
from .roles import Area
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


class ProfileView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("profile")
    success_message = "Profile saved."

    def get_object(self, queryset=None):
        return self.request.user


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

    def get_success_url(self):
        return reverse("user-list")


class UserUpdateView(BackofficeUpdateView):
    area = Area.ADMINISTRATION
    model = User
    form_class = UserUpdateForm
    template_name = "accounts/user_form.html"
    success_message = "User {object} saved."

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

    def get_success_url(self):
        return reverse("user-list")


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
