"""Writes on customers: the record with its contacts and addresses, numbering, deletion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.roles import Role, user_roles
from apps.core.sequences import sequence_next
from apps.finance import money
from apps.finance.documents import document_currency_problem

from . import hooks
from .models import Address, AddressKind, Contact, Customer

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "email",
    "phone",
    "tax_id",
    "currency",
    "opening_balance",
    "credit_limit",
    "portal_user",
    "active",
    "notes",
)
CONTACT_FIELDS = ("name", "email", "phone", "role")
ADDRESS_FIELDS = (
    "kind",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
    "is_default",
)


# --- validation -------------------------------------------------------------------------


def _amount(errors: dict, field: str, value, *, minimum=None) -> Any:
    if value is None:
        return None
    try:
        value = money.to_decimal(value)
    except money.MoneyError as exc:
        errors.setdefault(field, []).append(str(exc))
        return value
    if money.has_more_places(value, 2):
        errors.setdefault(field, []).append("Use at most 2 decimal places.")
    elif abs(value) > money.MAX_AMOUNT:
        errors.setdefault(field, []).append("That amount is too large.")
    elif minimum is not None and value < minimum:
        errors.setdefault(field, []).append("The amount cannot be negative.")
    return value


def _validate(customer: Customer) -> None:
    errors: dict[str, list[str]] = {}
    customer.name = (customer.name or "").strip()
    customer.email = (customer.email or "").strip().lower()
    customer.tax_id = (customer.tax_id or "").strip()
    if not customer.name:
        errors.setdefault("name", []).append("Enter a name.")
    problem = document_currency_problem(customer.currency if customer.currency_id else None)
    if problem:
        errors.setdefault("currency", []).append(problem)
    customer.opening_balance = _amount(errors, "opening_balance", customer.opening_balance or 0)
    customer.credit_limit = _amount(errors, "credit_limit", customer.credit_limit, minimum=0)
    user = customer.portal_user
    if user is not None:
        if Role.CUSTOMER not in user_roles(user):
            errors.setdefault("portal_user", []).append(
                f"{user.email} does not have the Customer role."
            )
        clash = Customer.all_objects.filter(portal_user=user).exclude(pk=customer.pk).first()
        if clash is not None:
            errors.setdefault("portal_user", []).append(
                f"{user.email} is already the portal login of {clash}."
            )
    if errors:
        raise ValidationError(errors)


def _sync(customer: Customer, model, rows: Iterable[dict], fields: tuple[str, ...]) -> list:
    """Create, change or delete the customer's contacts or addresses from form rows.

    A row is {"id": pk or None, "delete": bool, <fields>}; ids of other customers are
    ignored (a forged form cannot reach another customer's rows). Returns the saved
    object of each row (None where the row deleted it).
    """
    existing = {obj.pk: obj for obj in model.objects.filter(customer=customer)}
    saved = []
    for row in rows:
        obj = existing.get(row.get("id"))
        if row.get("delete"):
            if obj is not None:
                obj.delete()
            saved.append(None)
            continue
        if obj is None:
            obj = model(customer=customer)
        changed = obj._state.adding
        for field in fields:
            value = row.get(field, getattr(obj, field))
            if getattr(obj, field) != value:
                setattr(obj, field, value)
                changed = True
        if changed:
            obj.save()
        saved.append(obj)
    return saved


def _set_defaults(customer: Customer, marked: list[int], previous: set[int]) -> None:
    """One default address of each kind: the last one marked, else the one that was the
    default, else the first one."""
    for kind in AddressKind.values:
        ids = list(
            Address.objects.filter(customer=customer, kind=kind)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not ids:
            continue
        in_kind = [pk for pk in marked if pk in ids]
        was = [pk for pk in ids if pk in previous]
        keep = in_kind[-1] if in_kind else (was or ids)[0]
        Address.objects.filter(pk=keep).update(is_default=True)


def _children(customer: Customer, contacts, addresses) -> None:
    if contacts is not None:
        _sync(customer, Contact, contacts, CONTACT_FIELDS)
    if addresses is not None:
        rows = list(addresses)
        defaults = Address.objects.filter(customer=customer, is_default=True)
        previous = set(defaults.values_list("pk", flat=True))
        # no default while rows change, so the one-default index never sees two at once
        defaults.update(is_default=False)
        saved = _sync(customer, Address, [{**r, "is_default": False} for r in rows], ADDRESS_FIELDS)
        marked = [
            obj.pk for obj, row in zip(saved, rows, strict=True) if obj and row.get("is_default")
        ]
        _set_defaults(customer, marked, previous)


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def customer_create(
    *,
    contacts: Iterable[dict] | None = None,
    addresses: Iterable[dict] | None = None,
    **fields: Any,
) -> Customer:
    """A customer numbered CUST-00001, CUST-00002, ... with its contacts and addresses."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {', '.join(sorted(unknown))}")
    customer = Customer(**fields)
    _validate(customer)
    customer.code = f"CUST-{sequence_next(name='CUST'):05d}"
    customer.save()
    _children(customer, contacts, addresses)
    for listener in hooks.customer_saved:
        listener(customer)
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    contacts: Iterable[dict] | None = None,
    addresses: Iterable[dict] | None = None,
    **changes: Any,
) -> Customer:
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {', '.join(sorted(unknown))}")
    current = Customer.all_objects.select_for_update().get(pk=customer.pk)
    if current.is_deleted:
        raise ValidationError("This customer is in the trash; restore it before editing.")
    for key, value in changes.items():
        setattr(current, key, value)
    _validate(current)
    current.save()
    _children(current, contacts, addresses)
    for listener in hooks.customer_saved:
        listener(current)
    return current


@transaction.atomic
def customer_delete(*, customer: Customer) -> Customer:
    """Move to the trash unless a guard objects (sales refuses while orders are open)."""
    for guard in hooks.customer_delete_guards:
        problem = guard(customer)
        if problem:
            raise ValidationError(problem)
    customer.soft_delete()  # the audit signal records it
    return customer
