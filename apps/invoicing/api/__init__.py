"""Invoicing API (DESIGN.md §11, §12): invoices, credit notes, the customer receivable.

Every write calls the same service as the invoicing screens (apps.invoicing.services), so
the rules and their messages are the same. Issuing, voiding and issuing a credit note move
money: they accept an Idempotency-Key. PDFs and XML are the archived files, served only to
readers of invoices and to the portal customer the document belongs to (404 otherwise).
Payments: list, read and record (with an Idempotency-Key).
"""

from .credit_notes import CreditNoteViewSet
from .invoices import InvoiceViewSet
from .payments import PaymentViewSet
from .receivables import ReceivableViewSet

__all__ = ["CreditNoteViewSet", "InvoiceViewSet", "PaymentViewSet", "ReceivableViewSet"]
