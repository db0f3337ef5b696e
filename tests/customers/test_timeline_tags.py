"""An audit event's changes as the timeline and the audit log write them."""

from apps.customers.templatetags.timeline_tags import change_text

MOVEMENTS = [
    {"id": 678, "store": "MAIN", "sku": "SNA-006", "quantity": -4, "level": [115, 111],
     "unit_cost": "2.0500", "value": "-8.20"},
    {"id": 679, "store": "MAIN", "sku": "PER-005", "quantity": -3, "level": [178, 175],
     "unit_cost": "1.2000", "value": "-3.60"},
]  # fmt: skip


def test_a_documents_movements_read_as_records_not_as_old_and_new():
    assert change_text(MOVEMENTS) == (
        "store MAIN, sku SNA-006, quantity -4, level 115 → 111, unit cost 2.0500, value -8.20; "
        "store MAIN, sku PER-005, quantity -3, level 178 → 175, unit cost 1.2000, value -3.60"
    )
    assert change_text(MOVEMENTS[:1]) == (
        "store MAIN, sku SNA-006, quantity -4, level 115 → 111, unit cost 2.0500, value -8.20"
    )


def test_other_values_as_before():
    assert change_text(["draft", "confirmed"]) == "draft → confirmed"
    assert change_text([None, 3]) == "— → 3"
    assert change_text(["a", "b", "c"]) == "a, b, c"
    assert change_text({"SKU-1": 2}) == "SKU-1 × 2"
    assert change_text("") == "—"
    assert change_text([]) == ""
