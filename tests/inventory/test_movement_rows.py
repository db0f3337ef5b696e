"""movement_rows_html writes what inventory/_movement_rows.html's row loop wrote before
issue 14 (kept below as ROW_LOOP), once whitespace is collapsed: on the movement list with
every column chooser setting, its filtered and empty pages, and the product page (the
same characters, without the product's own SKU and name and the unit cost); for
receipts, removals with a reason, transfers both ways, adjustments, markup in names, SKUs
and references, a movement without a user ("system") and one by a named user."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from apps.inventory.models import MovementReason, StockMovement
from apps.inventory.services import stock_adjust, stock_receive, stock_remove, stock_transfer
from apps.inventory.tables import movement_rows_html
from tests.catalog.factories import ProductFactory

from .factories import StoreFactory

pytestmark = pytest.mark.django_db

# The row loop of templates/inventory/_movement_rows.html before it was written in Python,
# character for character.
ROW_LOOP = Template(
    "{% load inventory_tags money_tags %}{% with hidden=hidden|default:'' %}"
    "{% for m in movements %}\n"
    "    <tr>\n"
    '      <td data-label="When" class="text-nowrap">{{ m.created_at|date:"Y-m-d H:i" }}</td>\n'
    '      <td data-label="Type"><span class="badge {{ m.movement_type|movement_badge }}">{{ m.get_movement_type_display }}</span></td>\n'
    '      <td data-label="Store">{{ m.store.name }}{% if m.related_store_id %} <span class="text-muted small">{% if m.quantity < 0 %}to{% else %}from{% endif %} {{ m.related_store.name }}</span>{% endif %}</td>\n'
    '{% if "product" not in hidden %}'
    '      <td data-label="SKU"><a href="{% url \'product-detail\' m.product_id %}">{{ m.product_sku }}</a></td>\n'
    '      <td data-label="Product">{{ m.product_name }}</td>\n'
    "{% endif %}"
    '      <td data-label="Quantity" class="text-end {% if m.quantity > 0 %}text-success{% else %}text-danger{% endif %}">{% if m.quantity > 0 %}+{% endif %}{{ m.quantity }}</td>\n'
    '      {% if "before" not in hidden %}<td data-label="Before" class="text-end">{{ m.previous_quantity }}</td>{% endif %}\n'
    '      {% if "after" not in hidden %}<td data-label="After" class="text-end">{{ m.new_quantity }}</td>{% endif %}\n'
    '      {% if "unit_cost" not in hidden %}<td data-label="Unit cost" class="text-end">{{ m.unit_cost }}</td>{% endif %}\n'
    '      {% if "value" not in hidden %}<td data-label="Value" class="text-end">{{ m.value|money }}</td>{% endif %}\n'
    '      {% if "reason" not in hidden %}<td data-label="Reason">{{ m.get_reason_display }}</td>{% endif %}\n'
    '      {% if "reference" not in hidden %}<td data-label="Reference">{{ m.reference }}</td>{% endif %}\n'
    '      {% if "user" not in hidden %}<td data-label="By">{{ m.user|default:"system" }}</td>{% endif %}\n'
    "    </tr>\n"
    "  {% empty %}\n"
    '    <tr><td colspan="13" class="text-muted">{{ empty_text|default:"No movements yet." }}</td></tr>\n'
    "  {% endfor %}"
    "{% endwith %}"
)
OPTIONAL = ("before", "after", "unit_cost", "value", "reason", "reference", "user")


def tbody(html: str) -> str:
    match = re.search(r'<tbody hx-boost="false">\n  (.*?)\n  </tbody>', html, re.S)
    return match.group(1)


def loop(movements, hidden="", empty_text="") -> str:
    context = {"movements": movements, "hidden": hidden, "empty_text": empty_text}
    return ROW_LOOP.render(Context(context))


@pytest.fixture
def ledger(role_user):
    main, shop = StoreFactory(name="Main & <Co>"), StoreFactory(name='Shop "2"')
    tea = ProductFactory(sku='A&B "1"', name="<Tea> & 'co' \"x\"")
    mug = ProductFactory(sku="MUG-1", name="Mug")
    clerk = role_user("Warehouse", full_name="Ann <Clerk>")
    stock_receive(store=main, product=tea, quantity=1200, unit_cost="2.5", reference="PO<1>&")
    stock_receive(store=main, product=mug, quantity=3, unit_cost="1234567.89", user=clerk)
    stock_remove(
        store=main, product=tea, quantity=4, reason=MovementReason.DAMAGED, reference="x'y"
    )
    stock_transfer(from_store=main, to_store=shop, product=tea, quantity=10, user=clerk)
    stock_adjust(store=main, product=mug, counted_quantity=1, reason=MovementReason.LOST)
    return tea


def test_rows_equal_the_row_template_for_every_column_choice(ledger):
    movements = list(
        StockMovement.objects.select_related("store", "related_store", "user").order_by("-pk")
    )
    assert len(movements) == 6
    choices = ["", frozenset(), frozenset(OPTIONAL), *({name} for name in OPTIONAL)]
    for hidden in [*choices, {"product"}, {"product", "unit_cost"}]:
        assert (movement_rows_html(movements, hidden)) == loop(movements, hidden), hidden
    assert (movement_rows_html([], frozenset(), "None here.")) == loop([], "", "None here.")
    assert (movement_rows_html([])) == loop([])


def test_the_list_and_the_product_page_write_the_rows_of_the_template(admin_client, ledger):
    url = reverse("movement-list")
    pages = [
        "",
        "?cols=-&cols=before&cols=unit_cost&cols=value&cols=reason",
        "?cols=-",
        "?movement_type=transfer_out",
        "?reference=nothing-like-this",
    ]
    for query in pages:
        response = admin_client.get(url + query)
        table = response.context["table"]
        expected = loop(table.movements, table.hidden_columns, "No movements match these filters.")
        assert tbody(response.content.decode()) == expected, query
    page = admin_client.get(reverse("product-detail", args=[ledger.pk]))
    movements = page.context["movements"]
    assert len(movements) == 4
    # the product's own page leaves out its SKU and name, and the unit cost
    hidden = page.context["movements_hidden"]
    assert hidden == {"product", "unit_cost"}
    assert tbody(page.content.decode()) == loop(movements, hidden, "No movements yet.")
    assert "<th>SKU</th>" not in page.content.decode()
    assert 'data-label="Unit cost"' not in page.content.decode()
