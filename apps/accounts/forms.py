from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .login import normalize_login_email
from .models import User
from .roles import Role

ALLOWED_AVATAR_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_AVATAR_PIXELS = 4096


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "Wrong email or password. After 5 failed attempts the account is locked for a while.",
        "inactive": "This account has been deactivated. Ask an administrator.",
    }

    def clean_username(self):
        return normalize_login_email(self.cleaned_data.get("username"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "avatar"]
        widgets = {
            "avatar": forms.ClearableFileInput(
                attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
            )
        }
        help_texts = {"avatar": "PNG, JPEG, GIF or WebP, at most 2 MB."}

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if not avatar or not hasattr(avatar, "image"):
            return avatar  # unchanged or cleared
        limit = getattr(settings, "AVATAR_MAX_BYTES", 2 * 1024 * 1024)
        if avatar.size > limit:
            raise ValidationError(
                f"The image is {filesizeformat(avatar.size)}; the limit is {filesizeformat(limit)}."
            )
        image = avatar.image
        if (image.format or "").upper() not in ALLOWED_AVATAR_FORMATS:
            raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
        if max(image.size) > MAX_AVATAR_PIXELS:
            raise ValidationError(f"The image is larger than {MAX_AVATAR_PIXELS} pixels on a side.")
        return avatar


role_choices = [(r.value, r.label) for r in Role]


class UserCreateForm(forms.Form):
    email = forms.EmailField(label="Email")
    full_name = forms.CharField(label="Full name", max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles", choices=role_choices, widget=forms.CheckboxSelectMultiple
    )
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput, strip=False)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this email already exists.")
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=data.get("email", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserUpdateForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label="Roles", choices=role_choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "is_active"]
        labels = {"is_active": "Active (may log in)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = list(self.instance.groups.values_list("name", flat=True))
