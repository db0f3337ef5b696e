from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("tokens/new/", views.APITokenCreateView.as_view(), name="apitoken-create"),
    path("tokens/<int:pk>/revoke/", views.APITokenRevokeView.as_view(), name="apitoken-revoke"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserUpdateView.as_view(), name="user-update"),
    path("users/<int:pk>/active/", views.UserActiveToggleView.as_view(), name="user-active"),
]
