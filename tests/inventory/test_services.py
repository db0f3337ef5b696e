"""The stock services: every movement type, every bad input, exact figures and messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from apps.core.models import AuditEvent
from apps.core.request_context import acting_as
from apps.inventory.models import (
    MAX_QUANTITY,
    ImmutableMovement,
    MovementReason,
    MovementType,
    StockLevel,
    StockMovement,
    Store,
)
from apps.inventory.services import (
    InsufficientStock,
    stock_adjust,
    stock_levels_lock,
    stock_receive,
    stock_remove,
    stock_restock,
    stock_transfer,
)
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    return ProductFactory(sku="TEA-1", name="Green tea", category__name="Beverages")


def level(store, product) -> int:
    return StockLevel.objects.get(store=store, product=product).quantity


def test_receive_creates_the_level_and_a_receipt(stores, product, make_user):
    user = make_user("Warehouse")
    movement = stock_receive(
        store=stores[0], product=product, quantity=12, reference="PO-7", notes="pallet 1", user=user
    )
    assert level(stores[0], product) == 12
    assert (
        movement.movement_type,
        movement.quantity,
        movement.previous_quantity,
        movement.new_quantity,
    ) == (MovementType.RECEIPT, 12, 0, 12)
    assert (movement.reference, movement.notes, movement.user) == ("PO-7", "pallet 1", user)
    assert (movement.product_sku, movement.product_name, movement.category_name) == (
        "TEA-1",
        "Green tea",
        "Beverages",
    )
    event = AuditEvent.objects.get(event="stock.receipt")
    assert event.actor == user
    assert event.changes["level"] == [0, 12]
    second = stock_receive(store=stores[0], product=product, quantity=3, user=user)
    assert (second.previous_quantity, second.new_quantity) == (12, 15)


def test_return_adds_stock_as_a_return(stores, product):
    [movement] = stock_restock(
        store=stores[0], lines=[(product, 2, Decimal("3.01"))], reference="RET-1"
    )
    assert (movement.movement_type, movement.quantity) == (MovementType.RETURN, 2)
    assert (movement.value, movement.unit_cost) == (Decimal("3.01"), Decimal("1.5050"))
    assert level(stores[0], product) == 2


def test_manual_removal_needs_a_reason_and_records_it(stores, product):
    stock_receive(store=stores[0], product=product, quantity=10)
    with pytest.raises(ValidationError) as info:
        stock_remove(store=stores[0], product=product, quantity=1)
    assert info.value.message_dict == {"reason": ["Choose a reason."]}
    movement = stock_remove(
        store=stores[0], product=product, quantity=4, reason=MovementReason.DAMAGED
    )
    assert (movement.movement_type, movement.quantity, movement.reason) == (
        MovementType.MANUAL_REMOVAL,
        -4,
        "damaged",
    )
    assert (movement.previous_quantity, movement.new_quantity) == (10, 6)
    assert level(stores[0], product) == 6


def test_sale_needs_no_reason(stores, product):
    stock_receive(store=stores[0], product=product, quantity=5)
    movement = stock_remove(
        store=stores[0],
        product=product,
        quantity=5,
        movement_type=MovementType.SALE,
        reference="SO-1",
    )
    assert (movement.movement_type, movement.quantity, movement.new_quantity) == ("sale", -5, 0)
    assert level(stores[0], product) == 0


def test_removing_more_than_available_names_product_store_and_quantity(stores, product):
    stock_receive(store=stores[0], product=product, quantity=3)
    with pytest.raises(InsufficientStock) as info:
        stock_remove(store=stores[0], product=product, quantity=5, reason="lost")
    error = info.value
    assert str(error) == "Not enough TEA-1 (Green tea) in Store A: 3 available, 5 requested."
    assert error.message_dict == {"quantity": [str(error)]}
    assert (error.available, error.requested, error.store, error.product) == (
        3,
        5,
        stores[0],
        product,
    )
    assert level(stores[0], product) == 3
    assert StockMovement.objects.count() == 1


def test_removing_where_nothing_was_ever_received(stores, product):
    with pytest.raises(InsufficientStock, match="in Store B: 0 available, 1 requested"):
        stock_remove(store=stores[1], product=product, quantity=1, reason="lost")
    assert not StockLevel.objects.filter(store=stores[1]).exists()


def test_adjust_sets_the_counted_quantity_both_ways(stores, product):
    stock_receive(store=stores[0], product=product, quantity=10)
    down = stock_adjust(
        store=stores[0],
        product=product,
        counted_quantity=7,
        reason=MovementReason.COUNT_CORRECTION,
        reference="COUNT-1",
    )
    assert (down.movement_type, down.quantity, down.previous_quantity, down.new_quantity) == (
        MovementType.ADJUSTMENT,
        -3,
        10,
        7,
    )
    up = stock_adjust(store=stores[0], product=product, counted_quantity=9, reason="other")
    assert (up.quantity, up.new_quantity) == (2, 9)
    found = stock_adjust(store=stores[1], product=product, counted_quantity=3, reason="other")
    assert (found.previous_quantity, found.quantity, found.new_quantity) == (0, 3, 3)


def test_adjust_to_the_same_number_is_refused(stores, product):
    stock_receive(store=stores[0], product=product, quantity=4)
    with pytest.raises(ValidationError) as info:
        stock_adjust(store=stores[0], product=product, counted_quantity=4, reason="other")
    assert info.value.message_dict == {
        "counted_quantity": ["TEA-1 in Store A is already 4; nothing to adjust."]
    }


@pytest.mark.parametrize("reason", ["", "stolen"])
def test_adjust_needs_a_known_reason(stores, product, reason):
    with pytest.raises(ValidationError) as info:
        stock_adjust(store=stores[0], product=product, counted_quantity=3, reason=reason)
    assert list(info.value.message_dict) == ["reason"]
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("counted", [-1, 1.5, "3", True, None, 10**10])
def test_adjust_refuses_bad_counts(stores, product, counted):
    with pytest.raises(ValidationError) as info:
        stock_adjust(store=stores[0], product=product, counted_quantity=counted, reason="other")
    assert list(info.value.message_dict) == ["counted_quantity"]


def test_transfer_moves_both_legs_together(stores, product, make_user):
    user = make_user("Warehouse")
    stock_receive(store=stores[0], product=product, quantity=10)
    out, into = stock_transfer(
        from_store=stores[0],
        to_store=stores[1],
        product=product,
        quantity=4,
        reference="TR-1",
        user=user,
    )
    assert (level(stores[0], product), level(stores[1], product)) == (6, 4)
    assert (out.movement_type, out.quantity, out.previous_quantity, out.new_quantity) == (
        MovementType.TRANSFER_OUT,
        -4,
        10,
        6,
    )
    assert (into.movement_type, into.quantity, into.previous_quantity, into.new_quantity) == (
        MovementType.TRANSFER_IN,
        4,
        0,
        4,
    )
    assert out.transfer_id == into.transfer_id is not None
    assert (out.related_store, into.related_store) == (stores[1], stores[0])
    assert {out.reference, into.reference} == {"TR-1"}
    assert {out.user, into.user} == {user}


def test_transfer_of_more_than_available_changes_nothing(stores, product):
    stock_receive(store=stores[0], product=product, quantity=2)
    with pytest.raises(InsufficientStock, match="in Store A: 2 available, 3 requested"):
        stock_transfer(from_store=stores[0], to_store=stores[1], product=product, quantity=3)
    assert level(stores[0], product) == 2
    assert StockMovement.objects.count() == 1


def test_transfer_to_the_same_store_is_refused(stores, product):
    stock_receive(store=stores[0], product=product, quantity=2)
    with pytest.raises(ValidationError) as info:
        stock_transfer(from_store=stores[0], to_store=stores[0], product=product, quantity=1)
    assert info.value.message_dict == {"to_store": ["Choose a store other than the source."]}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Enter a quantity of at least 1."),
        (-3, "Enter a quantity of at least 1."),
        (1.5, "Enter a whole number of units."),
        (Decimal("2"), "Enter a whole number of units."),
        ("2", "Enter a whole number of units."),
        (True, "Enter a whole number of units."),
        (None, "Enter a whole number of units."),
        (MAX_QUANTITY + 1, "Enter at most 1,000,000 units in one movement."),
        (10**30, "Enter at most 1,000,000 units in one movement."),
    ],
)
@pytest.mark.parametrize("service", ["receive", "remove", "transfer"])
def test_bad_quantities_are_refused_by_every_service(stores, product, quantity, message, service):
    stock_receive(store=stores[0], product=product, quantity=5)
    calls = {
        "receive": lambda: stock_receive(store=stores[0], product=product, quantity=quantity),
        "remove": lambda: stock_remove(
            store=stores[0], product=product, quantity=quantity, reason="lost"
        ),
        "transfer": lambda: stock_transfer(
            from_store=stores[0], to_store=stores[1], product=product, quantity=quantity
        ),
    }
    with pytest.raises(ValidationError) as info:
        calls[service]()
    assert info.value.message_dict == {"quantity": [message]}
    assert level(stores[0], product) == 5
    assert StockMovement.objects.count() == 1


def test_inactive_deleted_and_unknown_stores_take_no_movements(stores, product):
    inactive = stores[1]
    inactive.active = False
    inactive.save()
    with pytest.raises(ValidationError) as info:
        stock_receive(store=inactive, product=product, quantity=1)
    assert info.value.message_dict == {
        "store": ["Store B is inactive and takes no stock movements."]
    }
    stores[2].soft_delete()
    with pytest.raises(ValidationError, match="Store C is inactive"):
        stock_receive(store=stores[2], product=product, quantity=1)
    with pytest.raises(ValidationError) as info:
        stock_receive(store=Store(name="Ghost", code="GH"), product=product, quantity=1)
    assert info.value.message_dict == {"store": ["Choose a store."]}
    stock_receive(store=stores[0], product=product, quantity=3)
    with pytest.raises(ValidationError) as info:
        stock_transfer(from_store=stores[0], to_store=inactive, product=product, quantity=1)
    assert info.value.message_dict == {
        "to_store": ["Store B is inactive and takes no stock movements."]
    }
    assert StockMovement.objects.count() == 1


def test_deleted_products_take_no_movements_but_keep_their_history(stores, product):
    stock_receive(store=stores[0], product=product, quantity=3)
    stock_remove(store=stores[0], product=product, quantity=3, reason="expired")
    product.soft_delete()
    with pytest.raises(ValidationError) as info:
        stock_receive(store=stores[0], product=product, quantity=1)
    assert info.value.message_dict == {
        "product": ["TEA-1 is in the trash and takes no stock movements."]
    }
    history = StockMovement.objects.filter(product=product).order_by("id")
    assert [(m.product.sku, m.product_name) for m in history] == [("TEA-1", "Green tea")] * 2


def test_unknown_movement_type_is_a_programming_error(stores, product):
    with pytest.raises(ValueError, match="movement_type must be one of: Sale, Manual removal"):
        stock_remove(store=stores[0], product=product, quantity=1, movement_type="receipt")


def test_reference_longer_than_100_is_refused(stores, product):
    with pytest.raises(ValidationError) as info:
        stock_receive(store=stores[0], product=product, quantity=1, reference="x" * 101)
    assert info.value.message_dict == {"reference": ["At most 100 characters."]}


def test_user_defaults_to_the_current_actor(stores, product, make_user):
    user = make_user("Warehouse")
    with acting_as(user):
        movement = stock_receive(store=stores[0], product=product, quantity=1)
    assert movement.user == user


def test_movements_are_append_only(stores, product):
    movement = stock_receive(store=stores[0], product=product, quantity=1)
    movement.quantity = 5
    with pytest.raises(ImmutableMovement):
        movement.save()
    with pytest.raises(ImmutableMovement):
        movement.delete()
    with pytest.raises(ImmutableMovement):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=5)
    with pytest.raises(ImmutableMovement):
        StockMovement.objects.all().delete()
    assert StockMovement.objects.get().quantity == 1


def test_the_database_refuses_a_negative_level(stores, product):
    stock_receive(store=stores[0], product=product, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(store=stores[0]).update(quantity=F("quantity") - 2)
    assert level(stores[0], product) == 1


def test_the_database_refuses_an_inconsistent_movement(stores, product):
    base = {
        "store": stores[0],
        "product": product,
        "product_sku": "TEA-1",
        "product_name": "Green tea",
    }
    bad_rows = [
        {"movement_type": "receipt", "quantity": 2, "previous_quantity": 0, "new_quantity": 3},
        {"movement_type": "receipt", "quantity": -2, "previous_quantity": 2, "new_quantity": 0},
        {
            "movement_type": "manual_removal",
            "quantity": -1,
            "previous_quantity": 1,
            "new_quantity": 0,
        },
        {
            "movement_type": "adjustment",
            "quantity": 0,
            "previous_quantity": 1,
            "new_quantity": 1,
            "reason": "other",
        },
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            StockMovement.objects.create(**base, **row)
    assert not StockMovement.objects.exists()


def test_lock_levels_for_an_order_in_an_outer_transaction(stores, product):
    """How order_confirm will use the API: lock all lines, remove each, all or nothing."""
    other = ProductFactory(sku="CUP-1", name="Cup")
    stock_receive(store=stores[0], product=product, quantity=5)
    stock_receive(store=stores[0], product=other, quantity=1)
    lines = [(product, 2), (other, 3)]
    with pytest.raises(InsufficientStock, match="CUP-1"), transaction.atomic():
        locked = stock_levels_lock(pairs=[(stores[0], p) for p, _ in lines])
        assert {key: lvl.quantity for key, lvl in locked.items()} == {
            (stores[0].pk, product.pk): 5,
            (stores[0].pk, other.pk): 1,
        }
        for line_product, quantity in lines:
            stock_remove(
                store=stores[0],
                product=line_product,
                quantity=quantity,
                movement_type=MovementType.SALE,
                reference="SO-9",
            )
    assert (level(stores[0], product), level(stores[0], other)) == (5, 1)
    assert StockMovement.objects.filter(movement_type="sale").count() == 0


def test_lock_creates_missing_levels_at_zero_and_accepts_ids(stores, product):
    locked = stock_levels_lock(pairs=[(stores[2].pk, product.pk), (stores[1], product)])
    assert sorted((k, v.quantity) for k, v in locked.items()) == [
        ((stores[1].pk, product.pk), 0),
        ((stores[2].pk, product.pk), 0),
    ]
    assert stock_levels_lock(pairs=[]) == {}
