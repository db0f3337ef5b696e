from django.urls import path

from . import views

urlpatterns = [
    path("sellers/", views.SellerListView.as_view(), name="seller-list"),
    path("sellers/new/", views.SellerCreateView.as_view(), name="seller-create"),
    path("sellers/<int:pk>/", views.SellerDetailView.as_view(), name="seller-detail"),
    path("sellers/<int:pk>/edit/", views.SellerUpdateView.as_view(), name="seller-update"),
    path("sellers/<int:pk>/status/", views.SellerStatusView.as_view(), name="seller-status"),
    path("sellers/lookup/", views.SellerLookupView.as_view(), name="seller-lookup"),
    path("requests/", views.CreditRequestListView.as_view(), name="creditrequest-list"),
    path(
        "requests/<int:pk>/", views.CreditRequestDetailView.as_view(), name="creditrequest-detail"
    ),
    path(
        "requests/<int:pk>/approve/",
        views.CreditRequestDecisionView.as_view(decision="approve"),
        name="creditrequest-approve",
    ),
    path(
        "requests/<int:pk>/reject/",
        views.CreditRequestDecisionView.as_view(decision="reject"),
        name="creditrequest-reject",
    ),
    path("transactions/", views.TransactionListView.as_view(), name="transaction-list"),
    path(
        "transactions/<uuid:pk>/", views.TransactionDetailView.as_view(), name="transaction-detail"
    ),
    path(
        "transactions/<uuid:pk>/reverse/",
        views.TransactionReverseView.as_view(),
        name="transaction-reverse",
    ),
]
