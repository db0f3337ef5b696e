from django.urls import path

from apps.invoicing.models import CreditNote, Invoice

from . import customer_views, invoice_views, seller_views, views

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="portal-home"),
    path("orders/", customer_views.PortalOrderListView.as_view(), name="portal-orders"),
    path("orders/new/", customer_views.PortalOrderCreateView.as_view(), name="portal-order-create"),
    path(
        "orders/<int:pk>/",
        customer_views.PortalOrderDetailView.as_view(),
        name="portal-order-detail",
    ),
    path(
        "orders/products/",
        customer_views.PortalProductSearchView.as_view(),
        name="portal-product-search",
    ),
    path("invoices/", invoice_views.PortalInvoiceListView.as_view(), name="portal-invoices"),
    path(
        "invoices/<int:pk>/pdf/",
        invoice_views.PortalDocumentFileView.as_view(model=Invoice, fmt="pdf"),
        name="portal-invoice-pdf",
    ),
    path(
        "invoices/<int:pk>/xml/",
        invoice_views.PortalDocumentFileView.as_view(model=Invoice, fmt="xml"),
        name="portal-invoice-xml",
    ),
    path(
        "credit-notes/<int:pk>/pdf/",
        invoice_views.PortalDocumentFileView.as_view(model=CreditNote, fmt="pdf"),
        name="portal-credit-note-pdf",
    ),
    path(
        "credit-notes/<int:pk>/xml/",
        invoice_views.PortalDocumentFileView.as_view(model=CreditNote, fmt="xml"),
        name="portal-credit-note-xml",
    ),
    path("statement/", invoice_views.PortalStatementView.as_view(), name="portal-statement"),
    path("profile/", customer_views.PortalProfileView.as_view(), name="portal-profile"),
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
