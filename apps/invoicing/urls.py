from django.urls import include, path

from . import views

urlpatterns = [
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/new/", views.InvoiceCreateView.as_view(), name="invoice-create"),
    path(
        "invoices/from-order/<int:pk>/",
        views.InvoiceFromOrderView.as_view(),
        name="invoice-create-from-order",
    ),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/edit/", views.InvoiceEditorView.as_view(), name="invoice-update"),
    path("invoices/<int:pk>/lines/", views.InvoiceLineAddView.as_view(), name="invoice-line-add"),
    path(
        "invoices/<int:pk>/lines/<int:line_pk>/",
        views.InvoiceLineView.as_view(),
        name="invoice-line-update",
    ),
    path(
        "invoices/<int:pk>/lines/<int:line_pk>/remove/",
        views.InvoiceLineDeleteView.as_view(),
        name="invoice-line-delete",
    ),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice-issue"),
    path("invoices/<int:pk>/void/", views.InvoiceVoidView.as_view(), name="invoice-void"),
    path("invoices/<int:pk>/delete/", views.InvoiceDeleteView.as_view(), name="invoice-delete"),
    path("invoices/<int:pk>/email/", views.InvoiceEmailView.as_view(), name="invoice-email"),
    path("invoices/<int:pk>/pdf/", views.InvoiceFileView.as_view(fmt="pdf"), name="invoice-pdf"),
    path("invoices/<int:pk>/xml/", views.InvoiceFileView.as_view(fmt="xml"), name="invoice-xml"),
    path(
        "invoices/<int:pk>/credit-note/",
        views.CreditNoteCreateView.as_view(),
        name="credit-note-create",
    ),
    path("invoices/credit-notes/", views.CreditNoteListView.as_view(), name="credit-note-list"),
    path(
        "invoices/credit-notes/from-return/<int:pk>/",
        views.CreditNoteFromReturnView.as_view(),
        name="credit-note-create-from-return",
    ),
    path(
        "invoices/credit-notes/<int:pk>/",
        views.CreditNoteDetailView.as_view(),
        name="credit-note-detail",
    ),
    path(
        "invoices/credit-notes/<int:pk>/issue/",
        views.CreditNoteIssueView.as_view(),
        name="credit-note-issue",
    ),
    path(
        "invoices/credit-notes/<int:pk>/delete/",
        views.CreditNoteDeleteView.as_view(),
        name="credit-note-delete",
    ),
    path(
        "invoices/credit-notes/<int:pk>/email/",
        views.CreditNoteEmailView.as_view(),
        name="credit-note-email",
    ),
    path(
        "invoices/credit-notes/<int:pk>/pdf/",
        views.CreditNoteFileView.as_view(fmt="pdf"),
        name="credit-note-pdf",
    ),
    path(
        "invoices/credit-notes/<int:pk>/xml/",
        views.CreditNoteFileView.as_view(fmt="xml"),
        name="credit-note-xml",
    ),
    path("", include("apps.invoicing.urls_payments")),
]
