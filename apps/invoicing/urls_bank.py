"""/payments/bank/: bank accounts, statements and the matching of their lines."""

from django.urls import path

from .views import bank as views

urlpatterns = [
    path("", views.BankStatementListView.as_view(), name="bank-statement-list"),
    path("import/", views.StatementUploadView.as_view(), name="bank-statement-create"),
    path("<int:pk>/", views.StatementDetailView.as_view(), name="bank-statement-detail"),
    path("accounts/", views.BankAccountListView.as_view(), name="bank-account-list"),
    path("accounts/new/", views.BankAccountCreateView.as_view(), name="bank-account-create"),
    path(
        "accounts/<int:pk>/edit/",
        views.BankAccountUpdateView.as_view(),
        name="bank-account-update",
    ),
    path("lines/<int:pk>/match/", views.BankLineMatchView.as_view(), name="bank-line-match"),
    path("lines/<int:pk>/ignore/", views.BankLineIgnoreView.as_view(), name="bank-line-ignore"),
    path("matches/<int:pk>/apply/", views.BankMatchApplyView.as_view(), name="bank-match-apply"),
    path("matches/<int:pk>/undo/", views.BankMatchUndoView.as_view(), name="bank-match-undo"),
]
