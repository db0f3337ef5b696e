"""Checks, level locks and the one place a level changes (`_levels_update`, through
`_write`); used by movements.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.audit import audit_rows, to_jsonable
from apps.core.models import AuditEvent
from apps.core.request_context import current_user
from apps.core.sql import Rows, case_by_id, insert_all
from apps.ledger.services import PreparedEntry, journal_write

from .. import valuation
from ..models import (
    MAX_QUANTITY,
    MovementReason,
    MovementType,
    StockLevel,
    StockMovement,
    Store,
)
from ..selectors import available
from .missing import GONE_SQL, missing_levels_drop
from .totals import totals_ctes, totals_move, totals_move_with

MAX_COUNTED = 1_000_000_000
ZERO = valuation.ZERO


class InsufficientStock(ValidationError):
    """Not enough units: names the product, the store and what is available.

    A ValidationError on the `quantity` field, so forms show it next to the input;
    callers that move several lines can catch it and read the attributes.
    """

    def __init__(self, *, product: Product, store: Store, available: int, requested: int):
        self.product, self.store = product, store
        self.available, self.requested = available, requested
        self.text = (
            f"Not enough {product.sku} ({product.name}) in {store.name}: "
            f"{available} available, {requested} requested."
        )
        super().__init__({"quantity": [ValidationError(self.text, code="insufficient_stock")]})

    def __str__(self) -> str:
        return self.text


# --- checks -----------------------------------------------------------------------------


def _check_quantity(quantity, *, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({field: "Enter a whole number of units."}, code="not_integer")
    if quantity < 1:
        raise ValidationError({field: "Enter a quantity of at least 1."}, code="not_positive")
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            {field: f"Enter at most {MAX_QUANTITY:,} units in one movement."}, code="too_large"
        )
    return quantity


def _check_store(store, *, field: str = "store") -> Store:
    if not isinstance(store, Store) or store.pk is None:
        raise ValidationError({field: "Choose a store."}, code="unknown_store")
    if store.is_deleted or not store.active:
        raise ValidationError(
            {field: f"{store.name} is inactive and takes no stock movements."},
            code="inactive_store",
        )
    return store


def _check_product(product) -> Product:
    if not isinstance(product, Product) or product.pk is None:
        raise ValidationError({"product": "Choose a product."}, code="unknown_product")
    if product.is_deleted:
        raise ValidationError(
            {"product": f"{product.sku} is in the trash and takes no stock movements."},
            code="deleted_product",
        )
    return product


def _check_text(*, reason: str, reference: str, required: bool) -> None:
    if required and not reason:
        raise ValidationError({"reason": "Choose a reason."}, code="reason_required")
    if reason and reason not in MovementReason.values:
        raise ValidationError({"reason": "Choose a reason from the list."}, code="bad_reason")
    if len(reference or "") > 100:
        raise ValidationError({"reference": "At most 100 characters."}, code="too_long")


def _check_type(movement_type: str, allowed: tuple[MovementType, ...]) -> None:
    if movement_type not in allowed:
        names = ", ".join(t.label for t in allowed)
        raise ValueError(f"movement_type must be one of: {names}")


def _check_movement(
    *, store, product, quantity, required: bool, reason: str, reference: str, **_
) -> None:
    _check_store(store)
    _check_product(product)
    _check_quantity(quantity)
    _check_text(reason=reason, reference=reference, required=required)


# --- levels -----------------------------------------------------------------------------


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _ensure_levels(keys: list[tuple[int, int]]) -> list[StockLevel]:
    """SQLite: create missing (store, product) levels at 0, in key order, and drop their
    MissingLevel pairs."""
    keys = sorted(set(keys))
    levels = StockLevel.objects.bulk_create(
        [StockLevel(store_id=s, product_id=p, quantity=0) for s, p in keys]
    )
    missing_levels_drop(keys)
    return levels


@transaction.atomic(savepoint=False)  # part of its caller's document: no savepoint of its own
def stock_levels_lock(
    *, pairs: Iterable[tuple[Store | int, Product | int]], create: bool = True
) -> dict[tuple[int, int], StockLevel]:
    """Lock the levels of several (store, product) pairs, creating missing ones at 0
    (`create=False`, for issues only: a missing level holds nothing, so it is left out of
    the answer and costs no INSERT).

    Rows are locked in primary-key order, so two transactions locking overlapping sets
    (A->B and B->A transfers, two orders sharing products) wait instead of deadlocking.
    Call it inside the caller's transaction; the locks last until that commits.
    Returns {(store_id, product_id): StockLevel} with the current quantities.
    """
    keys = sorted({(_pk(store), _pk(product)) for store, product in pairs})
    if not keys:
        return {}
    lock = _lock_sql(keys)
    if create and connection.vendor == "postgresql":
        found = _create_and_lock(keys, lock)
        if len(found) == len(keys):
            return found
        # a level another transaction created after this statement began: lock them all
        # again, keeping which ones this statement created (totals.py counts those as new)
        again = _locked(lock)
        for key, level in found.items():
            again[key].fresh = level.fresh
        return again
    if create:  # SQLite: one writer at a time, so what is not found can be inserted
        found = _locked(lock)
        missing = [key for key in keys if key not in found]
        if missing:
            for level in _ensure_levels(missing):
                level.fresh = True
                found[(level.store_id, level.product_id)] = level
        return found
    return _locked(lock)


def _locked(lock: tuple[str, list]) -> dict[tuple[int, int], StockLevel]:
    with connection.cursor() as cursor:
        cursor.execute(*lock)
        levels = [_LEVEL_ROWS.build(row) for row in cursor.fetchall()]
    return {(level.store_id, level.product_id): level for level in levels}


_LEVEL_ROWS = Rows(StockLevel, "sl")
_LEVEL_COLUMNS = [f.column for f in _LEVEL_ROWS.fields]


def _lock_sql(keys: list[tuple[int, int]]) -> tuple[str, list]:
    """The levels of `keys` (store, product) locked in primary-key order: what
    `StockLevel.objects.select_for_update().filter(Q(...) | ...).order_by("pk")` sends,
    written out (one condition per store), without the ORM's compile step.

    PostgreSQL: the pairs as a VALUES list joined on the (store, product) unique index,
    one index probe per pair whatever the statistics say. The `store_id = x AND
    product_id IN (...)` form let the planner, misled by a store its statistics do not
    know yet (one row estimated), read every level of the store and filter the products,
    and re-plan the statement on every run (a custom plan each time, never the prepared
    generic one): ~0.3-0.4 ms of server CPU a 5-line confirm on the bench store."""
    if connection.vendor == "postgresql":
        pairs = ", ".join("(%s::bigint, %s::bigint)" for _ in keys)
        sql = (
            f"SELECT {_LEVEL_ROWS.select} FROM (VALUES {pairs}) AS k(store_id, product_id)"
            f" INNER JOIN {_LEVEL_ROWS.table}"
            " ON sl.store_id = k.store_id AND sl.product_id = k.product_id"
            " ORDER BY sl.id ASC FOR UPDATE OF sl"
        )
        return sql, [x for key in keys for x in key]
    stores: dict[int, list[int]] = defaultdict(list)
    for store_id, product_id in keys:
        stores[store_id].append(product_id)
    match, params = [], []
    for store_id, products in stores.items():
        marks = ", ".join("%s" for _ in products)
        match.append(f"(sl.store_id = %s AND sl.product_id IN ({marks}))")
        params += [store_id, *products]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {_LEVEL_ROWS.select} FROM {_LEVEL_ROWS.table}"
        f" WHERE {' OR '.join(match)} ORDER BY sl.id ASC{lock}"
    )
    return sql, params


def _create_and_lock(
    keys: list[tuple[int, int]], lock: tuple[str, list]
) -> dict[tuple[int, int], StockLevel]:
    """PostgreSQL: `_ensure_levels` and the lock (`lock`, `_lock_sql`) in one statement:
    the missing levels inserted first (in key order, as RETURNING rows: ours until we
    commit) and their MissingLevel pairs deleted, then the existing ones locked in
    primary-key order. A level committed by
    another transaction after the statement began is not among them; the caller locks the
    rest again."""
    query = InsertQuery(StockLevel, on_conflict=OnConflict.IGNORE)
    fields = [f for f in StockLevel._meta.concrete_fields if not f.primary_key]
    query.insert_values(fields, [StockLevel(store_id=s, product_id=p, quantity=0) for s, p in keys])
    ((insert_sql, insert_params),) = query.get_compiler(connection=connection).as_sql()
    lock_sql, lock_params = lock
    columns = ", ".join(_LEVEL_COLUMNS)
    statement = (
        f"WITH new AS ({insert_sql} RETURNING {columns}), {GONE_SQL}, old AS ({lock_sql})"
        f" SELECT {columns}, TRUE FROM new UNION ALL SELECT {columns}, FALSE FROM old"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*insert_params, *lock_params])
        rows = cursor.fetchall()
    found = {}
    for *row, fresh in rows:
        level = _LEVEL_ROWS.build(row)
        level.fresh = fresh  # created here: it counted as nothing before (totals.py)
        found[(level.store_id, level.product_id)] = level
    return found


def _lock_level(store: Store, product: Product, *, create: bool) -> StockLevel | None:
    """The level of one pair, locked (created at 0 first when `create`)."""
    levels = stock_levels_lock(pairs=[(store, product)], create=create)
    return levels.get((store.pk, product.pk))  # None: no level, and not `create`


@dataclass
class Change:
    """One movement planned on a locked level: `_plan` has applied it to the in-memory
    level (so a document's next line on the same level sees it); `_write` stores it."""

    level: StockLevel
    store: Store
    product: Product
    movement_type: str
    quantity: int  # signed: negative takes units out
    value: Decimal  # signed, like quantity
    unit_cost: Decimal
    new_quantity: int
    details: dict


def _plan(level, store, product, movement_type, quantity, value, unit_cost, details) -> Change:
    level.quantity += quantity
    level.value += value
    level.unit_cost = valuation.average_cost(
        quantity=level.quantity, value=level.value, previous=level.unit_cost
    )
    return Change(
        level, store, product, movement_type, quantity, value, unit_cost, level.quantity, details
    )


def _plan_issue(
    level: StockLevel | None,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str,
    **details,
) -> Change:
    """Take `quantity` units out of a locked level at its average cost."""
    if level is None or level.quantity < quantity:
        raise InsufficientStock(
            product=product,
            store=store,
            available=level.quantity if level else 0,
            requested=quantity,
        )
    value = valuation.issue_value(on_hand=level.quantity, value=level.value, quantity=quantity)
    unit_cost = level.unit_cost
    return _plan(level, store, product, movement_type, -quantity, -value, unit_cost, details)


def _plan_gain(
    level: StockLevel,
    store: Store,
    product: Product,
    quantity: int,
    movement_type: str,
    *,
    value: Decimal,
    unit_cost: Decimal,
    **details,
) -> Change:
    """Add `quantity` units worth `value` to a locked level."""
    return _plan(level, store, product, movement_type, quantity, value, unit_cost, details)


def _issue(level, store, product, quantity, movement_type, **details) -> StockMovement:
    return _write([_plan_issue(level, store, product, quantity, movement_type, **details)])[0]


def _gain(level, store, product, quantity, movement_type, **details) -> StockMovement:
    return _write([_plan_gain(level, store, product, quantity, movement_type, **details)])[0]


def _write(changes: list[Change], events: Iterable[AuditEvent] = ()) -> list[StockMovement]:
    """Store planned changes: one UPDATE of every level they touch, one INSERT of their
    movements, one of their audit events, whatever their number (a document's lines).
    `events` are the document's own audit events, written in that same INSERT."""
    _levels_update(changes)
    return _record(changes, events)


def _levels_update(changes: list[Change], entry: PreparedEntry | None = None) -> None:
    """The one place a level changes: quantity and value move by deltas, each level only
    WHERE enough units remain for its net issue (a conditional multi-row update); the
    average is the locked rows' figures computed by `_plan`, which no one else can change
    before this transaction ends. The products' on-hand totals and the stores' totals
    move with them (`totals_move`, two more statements).

    `entry`, the document's journal entry (prepared), is written after them: on
    PostgreSQL in the same statement, so the store totals and the accounts every document
    moves are locked by the last statement before COMMIT, not held across the others.
    `extra` (data-modifying CTEs and their parameters: the document's own rows, see
    `stock_sell`'s `then`) goes in that statement too, or in one of its own."""
    levels: dict[int, StockLevel] = {}
    quantity: dict[int, int] = defaultdict(int)
    value: dict[int, Decimal] = defaultdict(Decimal)
    for change in changes:
        pk = change.level.pk
        levels[pk] = change.level
        quantity[pk] += change.quantity
        value[pk] += change.value
    update = _levels_sql(levels, quantity, value)
    if connection.vendor == "postgresql" and entry is not None:  # all in one statement
        ctes = totals_ctes(update, levels, quantity, value)
        # the store totals (after the products) before the accounts: see write_at_once
        columns = "(SELECT count(*) FROM stores), (SELECT count(*) FROM levels)"
        moved = entry.write_at_once(before=(*ctes, columns))[1]
    elif connection.vendor == "postgresql":  # with the totals, one statement
        moved = totals_move_with(update, levels, quantity, value)
    else:
        with connection.cursor() as cursor:
            cursor.execute(*update)
            moved = cursor.rowcount
        totals_move(levels, quantity, value)
        if entry is not None:
            journal_write(entry, audit=False)  # the movements carry the audit events
    if moved != len(levels):  # only if a caller forgot the lock: refuse rather than oversell
        # the row a net issue could not take from (or, were a level row gone, the first)
        change = next((c for c in changes if quantity[c.level.pk] < 0), changes[0])
        raise InsufficientStock(
            product=change.product,
            store=change.store,
            available=available(store=change.store.pk, product=change.product.pk),
            requested=abs(quantity[change.level.pk]),
        )


def _levels_sql(levels: dict, quantity: dict, value: dict) -> tuple[str, list]:
    """The conditional UPDATE of every level, written out (it runs in every stock
    document): quantity and value by deltas, the average from `_plan`, and only WHERE the
    level keeps >= 0 units (an issue needs that many on hand; a gain always passes)."""
    delta, delta_params = case_by_id(quantity)
    worth, worth_params = case_by_id(value, "NUMERIC")
    cost, cost_params = case_by_id({pk: lv.unit_cost for pk, lv in levels.items()}, "NUMERIC")
    marks = ", ".join("%s" for _ in levels)
    sql = (
        f"UPDATE {_LEVEL} SET quantity = quantity + {delta},"
        f" value = ROUND(value + {worth}, {valuation.VALUE_PLACES}), unit_cost = {cost},"
        f" updated_at = %s WHERE id IN ({marks}) AND quantity + {delta} >= 0"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [*delta_params, *worth_params, *cost_params, now, *levels, *delta_params]
    return sql, params


_LEVEL = StockLevel._meta.db_table


def _record(
    changes: list[Change],
    extra: Iterable[AuditEvent] = (),
    then: Callable[[list[StockMovement]], tuple[str, list] | None] | None = None,
) -> list[StockMovement]:
    """The movements of `changes` and their audit events, two INSERTs: one event per
    movement, or, for a document with its own events (`extra`), those alone, the first
    listing the movements (id, store, SKU, quantity, level before and after, cost).
    `then(movements)` (`stock_sell`'s): the document's own rows, once its movements are
    costed, as data-modifying CTEs sent with the movements' INSERT (PostgreSQL), or
    written by `then` itself (it returns None)."""
    movements = []
    for change in changes:
        details = change.details
        user = details.get("user")
        user = user if user is not None and user.is_authenticated else current_user()
        product = change.product
        movement = StockMovement(
            store=change.store,
            product=product,
            movement_type=change.movement_type,
            quantity=change.quantity,
            previous_quantity=change.new_quantity - change.quantity,
            new_quantity=change.new_quantity,
            unit_cost=change.unit_cost,
            value=change.value,
            reason=details.get("reason") or "",
            reference=(details.get("reference") or "").strip(),
            notes=details.get("notes") or "",
            user=user,
            related_store=details.get("related_store"),
            transfer_id=details.get("transfer_id"),
            product_sku=product.sku,
            product_name=product.name,
            category_name=product.category.name if product.category_id else "",
        )
        movements.append(movement)
    insert_all(movements, before=then(movements) if then is not None else None)
    extra = list(extra)
    if extra:
        # A document with its own event (an order's confirmation, cancellation, return)
        # lists its movements there: one event, not one more per movement (each with
        # its B-tree and trigram index entries). The movement rows keep who and when.
        extra[0].changes["movements"] = to_jsonable(
            [
                {"id": movement.pk, **_movement_record(change, movement)}
                for change, movement in zip(changes, movements, strict=True)
            ]
        )
        insert_all(extra, AuditEvent)
        return movements
    events = audit_rows(
        [
            (
                movement,
                f"stock.{change.movement_type}",
                {
                    **_movement_record(change, movement),
                    "reason": movement.reason,
                    "reference": movement.reference,
                },
                movement.user,
            )
            for change, movement in zip(changes, movements, strict=True)
        ]
    )
    insert_all(events, AuditEvent)
    return movements


def _movement_record(change: Change, movement: StockMovement) -> dict:
    """What an audit event says of a movement (its own, or its document's list)."""
    return {
        "store": change.store.code,
        "sku": change.product.sku,
        "quantity": change.quantity,
        "level": [movement.previous_quantity, change.new_quantity],
        "unit_cost": change.unit_cost,
        "value": change.value,
    }
