"""Every write on invoices, credit notes and the receivable (DESIGN.md §11)."""

from .common import InvoicingError
from .credit_notes import (
    credit_note_create,
    credit_note_create_from_return,
    credit_note_delete,
    credit_note_issue,
    credited_quantities,
)
from .dunning import (
    dunning_level_create,
    dunning_level_update,
    dunning_plan,
    dunning_run,
    reminder_send,
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
from .recurring import (
    recurring_create,
    recurring_period_invoice,
    recurring_run,
    recurring_run_all,
    recurring_update,
)

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
    "dunning_level_create",
    "dunning_level_update",
    "dunning_plan",
    "dunning_run",
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
    "recurring_create",
    "recurring_period_invoice",
    "recurring_run",
    "recurring_run_all",
    "recurring_update",
    "reminder_send",
]
