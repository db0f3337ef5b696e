"""Bank statements: upload -> preview -> import in the worker -> matches confirmed, corrected
or ignored by a person, or applied automatically (DESIGN.md §11).

The file stays in its BankStatement row between preview and import. The import runs as a
django-q2 task writing its progress into that row; it inserts lines in chunks (each its own
transaction) and the database's UNIQUE dedup key drops lines already imported, so an
import interrupted half-way is simply run again, and a file imported twice adds nothing.
Applying a match records a payment through `payment_record` (idempotent per match), and
undoing it reverses that payment.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.audit import audit_record
from apps.core.models import CompanySettings

from ..bank import (
    ParsedLine,
    StatementFileError,
    csv_headers,
    decode_upload,
    detect_format,
    guess_mapping,
    parse_statement,
)
from ..bank.tabular import check_mapping
from ..models import (
    BankAccount,
    BankLine,
    BankMatch,
    BankMatchInvoice,
    BankStatement,
    LineStatus,
    MatchReason,
    MatchStatus,
    PayerAccount,
    StatementFormat,
    StatementStatus,
)
from .common import InvoicingError, acting
from .matching import OpenInvoices, Proposal, auto_applicable, propose

CHUNK = 500
PREVIEW_ROWS = 200
LINES_SHARE = 60  # progress: inserting lines is 0-60 %, matching 60-100 %


# --- upload and preview ----------------------------------------------------------------


def _check_rows(account: BankAccount, rows: list[ParsedLine]) -> None:
    """Row errors that need the account: another currency than the account's."""
    for row in rows:
        if row.currency and row.currency.upper() != account.currency_id:
            row.errors.append(
                f"Currency {row.currency} but the account {account} is in {account.currency_id}."
            )


def _preview(statement: BankStatement) -> None:
    """Parse the stored file and keep its preview; StatementFileError if unreadable."""
    rows = parse_statement(statement.format, statement.content, statement.mapping)
    _check_rows(statement.account, rows)
    invalid = [r for r in rows if r.errors]
    statement.row_count = len(rows)
    shown = invalid[:PREVIEW_ROWS] if invalid else rows[:PREVIEW_ROWS]
    statement.preview = [r.as_json() for r in shown]
    statement.errors = [r.as_json() for r in invalid[:1000]]
    statement.status = StatementStatus.INVALID if invalid else StatementStatus.PREVIEWED
    statement.error = (
        f"{len(invalid)} row{'s' if len(invalid) != 1 else ''} ha{'ve' if len(invalid) != 1 else 's'}"
        " errors; fix the file (or the column mapping) and try again. Nothing was imported."
        if invalid
        else ""
    )


@transaction.atomic
def statement_upload(
    *, account: BankAccount, upload, fmt: str = "", mapping: dict | None = None, user=None
) -> BankStatement:
    """Keep an uploaded statement with its preview (no line written yet).

    A file that cannot be read at all raises a ValidationError on `file` and nothing is
    kept. A CSV is read with `mapping`, else the account's saved mapping if it fits the
    file, else a guess from the header names (the preview page lets a person fix it).
    """
    user = acting(user)
    if not account.active or account.is_deleted:
        raise ValidationError({"account": "Choose an active bank account."})
    try:
        content = decode_upload(upload)
        fmt = fmt or detect_format(content)
        if fmt not in StatementFormat.values:
            raise StatementFileError(f"Unknown statement format {fmt!r}.")
        if fmt == StatementFormat.CSV:
            headers = csv_headers(content)
            if mapping is None:
                saved = account.csv_mapping or {}
                mapping = saved if saved and not check_mapping(saved, headers) else None
                mapping = mapping or guess_mapping(headers, content)
        statement = BankStatement(
            account=account,
            format=fmt,
            file_name=(getattr(upload, "name", "") or "statement")[:200],
            content=content,
            mapping=mapping or {},
            created_by=user,
        )
        if fmt == StatementFormat.CSV and check_mapping(statement.mapping, headers):
            statement.status = StatementStatus.INVALID
            statement.error = "Choose which column holds what, then preview again."
        else:
            _preview(statement)
    except StatementFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    statement.save()
    return statement


@transaction.atomic
def statement_remap(*, statement: BankStatement, mapping: dict, user=None) -> BankStatement:
    """Read a CSV statement again with another column mapping (saved on the account)."""
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.format != StatementFormat.CSV:
        raise ValidationError("Only CSV statements have a column mapping.")
    if statement.status not in (StatementStatus.PREVIEWED, StatementStatus.INVALID):
        raise ValidationError("This statement is already imported.")
    headers = csv_headers(statement.content)
    errors = check_mapping(mapping, headers)
    if errors:
        raise ValidationError(errors)
    statement.mapping = mapping
    try:
        _preview(statement)
    except StatementFileError as exc:
        raise ValidationError(str(exc)) from None
    statement.save()
    account = statement.account
    account.csv_mapping = mapping
    account.save(update_fields=["csv_mapping", "updated_at"])
    return statement


@transaction.atomic
def statement_import_start(*, statement: BankStatement, user=None) -> bool:
    """Queue the import once (a conditional UPDATE: a double click starts it once). A failed
    import may be started again: lines it already wrote are skipped by the dedup key."""
    claimed = bool(
        BankStatement.objects.filter(
            pk=statement.pk, status__in=[StatementStatus.PREVIEWED, StatementStatus.FAILED]
        ).update(status=StatementStatus.QUEUED, progress=0)
    )
    if claimed:
        from django_q.tasks import async_task

        if statement.format == StatementFormat.CSV and statement.mapping:
            # the mapping that read this file is the account's from now on
            BankAccount.objects.filter(pk=statement.account_id).update(
                csv_mapping=statement.mapping
            )

        user_id = getattr(acting(user), "pk", None)
        transaction.on_commit(
            lambda: async_task(
                "apps.invoicing.tasks.statement_import_task",
                statement.pk,
                user_id,
                group="bank-import",
            )
        )
    return claimed


def _progress(statement: BankStatement, value: int) -> None:
    BankStatement.objects.filter(pk=statement.pk).update(progress=min(max(value, 0), 100))


def _insert(statement: BankStatement, rows: list[ParsedLine]) -> None:
    account = statement.account
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with transaction.atomic():
            BankLine.objects.bulk_create(
                [
                    BankLine(
                        account=account,
                        statement=statement,
                        date=r.date,
                        amount=r.amount,
                        bank_reference=r.bank_reference,
                        payer_name=r.payer_name,
                        payer_iban=r.payer_iban,
                        reference=r.reference,
                        text=r.text,
                    )
                    for r in chunk
                ],
                ignore_conflicts=True,  # the dedup key: a line imported before is skipped
            )
        _progress(statement, LINES_SHARE * (start + len(chunk)) // len(rows))


def statement_import(*, statement_id: int, user=None) -> BankStatement:
    """The worker's part: insert the lines (duplicates skipped), then propose matches and
    apply the exact ones when the company setting says so. Progress goes into the row."""
    user = acting(user)
    if not BankStatement.objects.filter(pk=statement_id, status=StatementStatus.QUEUED).update(
        status=StatementStatus.RUNNING
    ):
        return BankStatement.objects.get(pk=statement_id)
    statement = BankStatement.objects.select_related("account").get(pk=statement_id)
    try:
        rows = parse_statement(statement.format, statement.content, statement.mapping)
        _check_rows(statement.account, rows)
        if any(r.errors for r in rows):
            raise StatementFileError("The file has rows with errors; nothing was imported.")
        _insert(statement, rows)
        added = statement.lines.count()
        statement.lines_added = added
        statement.lines_duplicate = len(rows) - added
        statement.matches_applied = statement_match(
            statement=statement,
            auto_apply=CompanySettings.load().bank_auto_apply,
            user=user,
            progress=True,
        )
    except StatementFileError as exc:
        statement.status = StatementStatus.FAILED
        statement.error = str(exc)
        statement.save(update_fields=["status", "error"])
        return statement
    except Exception as exc:
        statement.status = StatementStatus.FAILED
        statement.error = (
            f"The import stopped ({type(exc).__name__}); import it again: the lines already "
            "imported are skipped."
        )
        statement.save(update_fields=["status", "error"])
        raise
    statement.status = StatementStatus.IMPORTED
    statement.progress = 100
    statement.imported_at = timezone.now()
    statement.error = ""
    statement.save(
        update_fields=[
            "status",
            "progress",
            "imported_at",
            "error",
            "lines_added",
            "lines_duplicate",
            "matches_applied",
        ]
    )
    audit_record(
        subject=statement,
        event="bank.statement_imported",
        changes={
            "lines_added": statement.lines_added,
            "lines_duplicate": statement.lines_duplicate,
            "matches_applied": statement.matches_applied,
        },
        actor=user,
    )
    return statement


# --- matching --------------------------------------------------------------------------


def _store(line: BankLine, proposal: Proposal, *, status=MatchStatus.SUGGESTED) -> BankMatch:
    match = BankMatch.objects.create(
        line=line,
        customer=proposal.customer,
        reason=proposal.reason,
        detail=proposal.detail[:300],
        exact=proposal.exact,
        status=status,
    )
    BankMatchInvoice.objects.bulk_create(
        [
            BankMatchInvoice(match=match, invoice=invoice, amount=amount)
            for invoice, amount in proposal.allocations
        ]
    )
    return match


def statement_match(
    *, statement: BankStatement, auto_apply: bool = False, user=None, progress: bool = False
) -> int:
    """Propose matches for the statement's open lines; returns how many were applied."""
    book = OpenInvoices(statement.account.currency_id)
    lines = list(
        statement.lines.filter(status=LineStatus.UNMATCHED, amount__gt=0).order_by("date", "pk")
    )
    applied = 0
    for n, line in enumerate(lines, start=1):
        proposals = propose(line, book)
        if proposals:
            with transaction.atomic():
                matches = [_store(line, p) for p in proposals]
                BankLine.objects.filter(pk=line.pk, status=LineStatus.UNMATCHED).update(
                    status=LineStatus.SUGGESTED
                )
            chosen = auto_applicable(proposals) if auto_apply else None
            if chosen is not None:
                try:
                    bank_match_apply(match=matches[0], user=user, automatic=True)
                except ValidationError:
                    pass  # stays a suggestion; the person sees why when confirming
                else:
                    applied += 1
                    for invoice, amount in chosen.allocations:
                        book.consume(invoice, amount)
        if progress and (n % 50 == 0 or n == len(lines)):
            _progress(statement, LINES_SHARE + (100 - LINES_SHARE) * n // len(lines))
    return applied


def _lock_line(line: BankLine) -> BankLine:
    return BankLine.objects.select_for_update().select_related("account").get(pk=line.pk)


@transaction.atomic
def bank_match_apply(*, match: BankMatch, user=None, automatic: bool = False) -> BankMatch:
    """Record the payment the match describes: the line's whole amount from the match's
    customer, allocated to its invoices (the rest is customer credit). Other suggestions of
    the line are dismissed; the payer's IBAN is remembered for the customer."""
    from .payments import payment_record

    user = acting(user)
    line = _lock_line(match.line)
    match = BankMatch.objects.select_for_update().get(pk=match.pk)
    if line.status in (LineStatus.MATCHED, LineStatus.IGNORED):
        raise ValidationError(f"This line is already {line.get_status_display().lower()}.")
    if match.status != MatchStatus.SUGGESTED:
        raise ValidationError("This suggestion is no longer open.")
    if line.amount <= 0:
        raise ValidationError("Only money received can pay invoices.")
    allocations = [(row.invoice, row.amount) for row in match.invoices.select_related("invoice")]
    label = "automatically" if automatic else "by hand"
    try:
        payment = payment_record(
            customer=match.customer,
            amount=line.amount,
            date=line.date,
            currency=line.account.currency_id,
            reference=(line.reference or line.bank_reference)[:140],
            notes=f"Bank statement line {line.pk} ({line.account}), matched {label}: "
            f"{match.get_reason_display()}.",
            allocations=allocations,
            idempotency_key=f"bank-match-{match.pk}",
            user=user,
        )
    except InvoicingError as exc:
        raise ValidationError(
            "The suggestion no longer fits: " + " ".join(exc.messages) + " Correct it instead."
        ) from None
    match.status = MatchStatus.APPLIED
    match.payment = payment
    match.automatic = automatic
    match.decided_at = timezone.now()
    match.decided_by = user
    match.save(update_fields=["status", "payment", "automatic", "decided_at", "decided_by"])
    line.matches.filter(status=MatchStatus.SUGGESTED).exclude(pk=match.pk).update(
        status=MatchStatus.DISMISSED, decided_at=timezone.now(), decided_by=user
    )
    line.status = LineStatus.MATCHED
    line.save(update_fields=["status"])
    if line.payer_iban:
        PayerAccount.objects.update_or_create(
            iban=line.payer_iban, defaults={"customer": match.customer}
        )
    audit_record(
        subject=line,
        event="bank.match_applied",
        changes={
            "payment": payment.number,
            "reason": match.reason,
            "automatic": automatic,
            "invoices": [[i.number, str(a)] for i, a in allocations],
        },
        actor=user,
    )
    return match


@transaction.atomic
def bank_match_correct(*, line: BankLine, customer, allocations: list, user=None) -> BankMatch:
    """A person's own match: `allocations` is [(invoice, amount)] of `customer`'s invoices
    (may be empty: all of it becomes customer credit)."""
    from apps.finance import money

    line = _lock_line(line)
    if line.status in (LineStatus.MATCHED, LineStatus.IGNORED):
        raise ValidationError(f"This line is already {line.get_status_display().lower()}.")
    rows = []
    for invoice, amount in allocations:
        amount = money.quantize(amount)
        if amount <= 0:
            continue
        if invoice.customer_id != customer.pk:
            raise ValidationError({"allocations": f"{invoice.number} is not {customer}'s."})
        rows.append((invoice, amount))
    total = sum((a for _i, a in rows), start=money.quantize(0))
    if total > line.amount:
        raise ValidationError(
            {"allocations": f"The invoices take {total}, more than the line's {line.amount}."}
        )
    detail = "Chosen by hand" + (
        f": {', '.join(i.number for i, _a in rows)}." if rows else ", all as customer credit."
    )
    match = _store(
        line,
        Proposal(
            customer=customer,
            reason=MatchReason.MANUAL,
            detail=detail,
            allocations=rows,
            exact=total == line.amount,
        ),
    )
    return bank_match_apply(match=match, user=user)


@transaction.atomic
def bank_line_ignore(*, line: BankLine, user=None) -> BankLine:
    """Not a customer payment (a fee, a transfer between own accounts): set it aside."""
    user = acting(user)
    line = _lock_line(line)
    if line.status == LineStatus.MATCHED:
        raise ValidationError("A matched line cannot be ignored; undo the match first.")
    line.matches.filter(status=MatchStatus.SUGGESTED).update(
        status=MatchStatus.DISMISSED, decided_at=timezone.now(), decided_by=user
    )
    line.status = LineStatus.IGNORED
    line.save(update_fields=["status"])
    audit_record(subject=line, event="bank.line_ignored", actor=user)
    return line


@transaction.atomic
def bank_line_reopen(*, line: BankLine, user=None) -> BankLine:
    """Bring an ignored line back and propose matches for it again."""
    user = acting(user)
    line = _lock_line(line)
    if line.status != LineStatus.IGNORED:
        raise ValidationError("Only an ignored line can be brought back.")
    line.status = LineStatus.UNMATCHED
    line.save(update_fields=["status"])
    _repropose(line)
    audit_record(subject=line, event="bank.line_reopened", actor=user)
    return line


def _repropose(line: BankLine) -> None:
    line.matches.filter(status=MatchStatus.SUGGESTED).update(status=MatchStatus.DISMISSED)
    proposals = propose(line, OpenInvoices(line.account.currency_id))
    for proposal in proposals:
        _store(line, proposal)
    if proposals:
        line.status = LineStatus.SUGGESTED
        line.save(update_fields=["status"])


@transaction.atomic
def bank_match_undo(*, match: BankMatch, reason: str, user=None) -> BankMatch:
    """Reverse the payment an applied match recorded: the invoices reopen and the line is
    open again, with fresh suggestions."""
    from .payments import payment_reverse

    user = acting(user)
    line = _lock_line(match.line)
    match = BankMatch.objects.select_for_update().get(pk=match.pk)
    if match.status != MatchStatus.APPLIED:
        raise ValidationError("Only an applied match can be undone.")
    if not match.payment.is_reversed:  # reversed from the payment's own page meanwhile
        try:
            payment_reverse(payment=match.payment, reason=reason, user=user)
        except InvoicingError as exc:
            raise ValidationError(exc.messages) from None
    match.status = MatchStatus.REVERSED
    match.save(update_fields=["status"])
    line.status = LineStatus.UNMATCHED
    line.save(update_fields=["status"])
    _repropose(line)
    audit_record(
        subject=line,
        event="bank.match_undone",
        changes={"payment": match.payment.number, "reason": reason},
        actor=user,
    )
    return match


def lines_needing_review():
    """Lines a person still has to look at (suggested, or money in left unmatched)."""
    return BankLine.objects.filter(
        Q(status=LineStatus.SUGGESTED) | Q(status=LineStatus.UNMATCHED, amount__gt=0)
    )
