"""The filter bar written in Python (core_tags.filter_fields, form_renderer.quick_select)
writes what the template loop and Django's select templates wrote, and its cached option
lists never show a stale store or category."""

import copy

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template

from apps.catalog.models import Category
from apps.core.form_renderer import FastWidgetRenderer, quick_widget
from apps.inventory.filters import LowStockFilter, MovementFilter, StockLevelFilter
from apps.inventory.models import Store

from .test_form_renderer import Awkward, _filtersets

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()
# core/list.html's loop before `{% filter_fields %}`.
LOOP = Template(
    "{% load core_tags %}{% for field in form %}\n"
    '      <div class="col-sm-6 col-md-4 col-xl-2{% if not forloop.first and not field.value %}'
    ' filter-extra{% endif %}">\n'
    '        <label class="form-label small mb-1" for="{{ field.id_for_label }}">'
    "{{ field.label }}</label>\n"
    "        {{ field|bs_widget }}\n"
    "        {% for error in field.errors %}"
    '<div class="invalid-feedback d-block">{{ error }}</div>{% endfor %}\n'
    "      </div>\n    {% endfor %}"
)
TAG = Template("{% load core_tags %}{% filter_fields form %}")


@pytest.fixture
def shop():
    Category.objects.create(name='Tools & "bits" <b>')
    Category.objects.create(name="Paint")
    Store.objects.create(name="Main <Warehouse>", code="MAIN")
    Store.objects.create(name="Old shop", code="OLD", active=False)


def _selects(form):
    return [field for field in form if hasattr(field.field.widget, "choices")]


def _both(field):
    """The field's widget as Django's templates write it and through quick_select."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({"class": "form-select change-filter"}, widget)
    args = (field.html_name, field.value(), attrs)
    expected = widget.render(*args, renderer=TEMPLATES)
    quick = copy.deepcopy(widget)
    quick_widget(quick)
    return quick.render(*args, renderer=FAST), expected


@pytest.mark.parametrize("filterset", _filtersets(), ids=lambda cls: cls.__name__)
def test_every_filter_bar_select_with_each_choice_chosen(shop, filterset):
    blank = filterset(data={}, queryset=filterset._meta.model._default_manager.none())
    for field in _selects(blank.form):
        values = [str(v) for v, _ in field.field.widget.choices] + ["no-such", ""]
        for value in values:
            form = filterset(
                data={field.name: value}, queryset=filterset._meta.model._default_manager.none()
            ).form
            quick, expected = _both(form[field.name])
            assert quick == expected, f"{filterset.__name__}.{field.name}={value!r}"


@pytest.mark.parametrize("bound", [False, True])
def test_awkward_choices(bound):
    form = (
        Awkward(data={"pick": "3", "grouped": "2", "many": ["b"], "maybe": "false"})
        if bound
        else Awkward()
    )
    for field in _selects(form):
        quick, expected = _both(field)
        assert quick == expected, field.name


@pytest.mark.parametrize(
    "filterset, data",
    [
        (StockLevelFilter, {}),
        (StockLevelFilter, {"store": "1", "q": '"x" <y>', "status": "low"}),
        (MovementFilter, {"start": "not a date", "store": "999999", "reference": "R&D"}),
        (LowStockFilter, {"status": "out"}),
    ],
)
def test_the_filter_bar_loop_in_python(shop, filterset, data):
    form = filterset(data=data, queryset=filterset._meta.model._default_manager.none()).form
    form.is_valid()
    assert TAG.render(Context({"form": form})) == LOOP.render(Context({"form": form}))


def test_added_renamed_and_deactivated_stores_and_categories_show_at_once(shop, admin_client):
    def bar(url):
        html = admin_client.get(url).content.decode()
        start = html.index('<form method="get"')
        return html[start : html.index("</form>", start)]

    assert "Main &lt;Warehouse&gt;" in bar("/inventory/stock/")
    assert "Old shop" not in bar("/inventory/low-stock/")  # active stores only
    Store.objects.create(name="New shop", code="NEW")
    Store.objects.filter(code="MAIN").update(name="Renamed store")
    Category.objects.filter(name="Paint").update(name="Paints & lacquers")
    stock = bar("/inventory/stock/")
    assert "New shop" in stock and "Renamed store" in stock
    assert "Paints &amp; lacquers" in stock and ">Paint<" not in stock
    Store.objects.filter(code="NEW").update(active=False)
    Store.objects.filter(code="OLD").update(active=True)
    low = bar("/inventory/low-stock/")
    assert "New shop" not in low and "Old shop" in low
    store = Store.objects.get(code="NEW")
    chosen = admin_client.get(f"/inventory/stock/?store={store.pk}").content.decode()
    assert f'<option value="{store.pk}" selected>New shop</option>' in chosen
