"""Every write on invoices, credit notes and the receivable (DESIGN.md §11)."""

from .common import InvoicingError
from .credit_notes import (
    credit_note_create,
    credit_note_create_from_return,
    credit_note_delete,
    credit_note_issue,
    credited_quantities,
)
from .email import document_email_send
from .invoices import (
    invoice_create,
    invoice_create_from_order,
    invoice_delete,
    invoice_line_add,
    invoice_line_remove,
    invoice_line_update,
    invoice_update,
)
from .issue import invoice_issue, invoice_void
from .opening import opening_balance_post
from .payments import credit_apply, credit_refund, payment_record, payment_reverse
from .pdf import invoice_store_pdf

__all__ = [
    "InvoicingError",
    "credit_apply",
    "credit_refund",
    "payment_record",
    "payment_reverse",
    "credit_note_create",
    "credit_note_create_from_return",
    "credit_note_delete",
    "credit_note_issue",
    "credited_quantities",
    "document_email_send",
    "invoice_create",
    "invoice_create_from_order",
    "invoice_delete",
    "invoice_issue",
    "invoice_line_add",
    "invoice_line_remove",
    "invoice_line_update",
    "invoice_update",
    "invoice_void",
    "invoice_store_pdf",
    "opening_balance_post",
]
