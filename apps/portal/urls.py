from django.urls import path

from . import seller_views, views

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="portal-home"),
    path("credit/", seller_views.SellerCreditView.as_view(), name="portal-credit"),
    path("credit/charge/", seller_views.ChargeView.as_view(), name="portal-charge"),
    path("credit/topup/", seller_views.TopupRequestView.as_view(), name="portal-topup"),
    path(
        "credit/transactions/",
        seller_views.SellerTransactionListView.as_view(),
        name="portal-transactions",
    ),
    path(
        "credit/transactions/<uuid:pk>/",
        seller_views.SellerTransactionDetailView.as_view(),
        name="portal-transaction-detail",
    ),
    path("credit/requests/", seller_views.SellerRequestListView.as_view(), name="portal-requests"),
    path(
        "credit/requests/<int:pk>/cancel/",
        seller_views.SellerRequestCancelView.as_view(),
        name="portal-request-cancel",
    ),
]
