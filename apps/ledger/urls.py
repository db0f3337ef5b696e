from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.AccountListView.as_view(), name="account-list"),
    path("accounts/lookup/", views.AccountLookupView.as_view(), name="account-lookup"),
    path("accounts/new/", views.AccountCreateView.as_view(), name="account-create"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="account-detail"),
    path("accounts/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="account-update"),
    path("journal/", views.JournalEntryListView.as_view(), name="journalentry-list"),
    path("journal/<uuid:pk>/", views.JournalEntryDetailView.as_view(), name="journalentry-detail"),
    path(
        "journal/<uuid:pk>/reverse/",
        views.JournalEntryReverseView.as_view(),
        name="journalentry-reverse",
    ),
    path("trial-balance/", views.TrialBalanceView.as_view(), name="trial-balance"),
]
