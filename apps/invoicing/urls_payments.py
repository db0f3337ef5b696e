"""/payments/: list, record, detail, reverse, apply and refund credit."""

from django.urls import path

from .views import payments as views

urlpatterns = [
    path("payments/", views.PaymentListView.as_view(), name="payment-list"),
    path("payments/new/", views.PaymentCreateView.as_view(), name="payment-create"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/<int:pk>/reverse/", views.PaymentReverseView.as_view(), name="payment-reverse"),
    path(
        "payments/<int:pk>/apply-credit/",
        views.CreditApplyView.as_view(),
        name="payment-credit-apply",
    ),
    path("payments/<int:pk>/refund/", views.CreditRefundView.as_view(), name="payment-refund"),
]
