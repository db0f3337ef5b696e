"""Invoicing API (DESIGN.md §11, §12): invoices, credit notes, the customer receivable.

Every write calls the same service as the invoicing screens (apps.invoicing.services), so
the rules and their messages are the same. Issuing, voiding and issuing a credit note move
money: they accept an Idempotency-Key. PDFs and XML are the archived files, served only to
readers of invoices and to the portal customer the document belongs to (404 otherwise).
Payments: list, read, record, apply or refund their credit, reverse (with an
Idempotency-Key). Bank statements, dunning and recurring invoices as on their screens.
"""

from .bank import BankAccountViewSet, BankLineViewSet, BankMatchViewSet, BankStatementViewSet
from .credit_notes import CreditNoteViewSet
from .dunning import DunningLevelViewSet, DunningViewSet, ReminderViewSet
from .invoices import InvoiceViewSet
from .payments import PaymentViewSet
from .receivables import ReceivableViewSet
from .recurring import RecurringViewSet

__all__ = [
    "BankAccountViewSet",
    "BankLineViewSet",
    "BankMatchViewSet",
    "BankStatementViewSet",
    "CreditNoteViewSet",
    "DunningLevelViewSet",
    "DunningViewSet",
    "InvoiceViewSet",
    "PaymentViewSet",
    "ReceivableViewSet",
    "RecurringViewSet",
    "ReminderViewSet",
]
