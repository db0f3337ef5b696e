"""Forms of the stock screens. Quantities are whole positive numbers; anything else is an
error next to the field, before any service runs."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.urls import reverse_lazy

from apps.catalog.forms import ImportForm
from apps.catalog.models import Product
from apps.core.forms import IdempotentForm
from apps.core.models import CompanySettings

from .models import MAX_QUANTITY, MovementReason, Store
from .services import MAX_COUNTED

# Inputs whose change refreshes the "available" box (see inventory/stock_form.html).
LIVE = {"data-available": "1"}


class ProductCodeField(forms.CharField):
    """A product typed or scanned by SKU or barcode; suggestions come from a <datalist>."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Product")
        kwargs.setdefault(
            "help_text", "Type or scan the SKU or barcode; pick from the suggestions."
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    **LIVE,
                    "list": "product-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("product-lookup"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#product-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            ),
        )
        super().__init__(max_length=64, **kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        # The movement snapshots the category name: fetch it with the product.
        product = Product.all_objects.select_related("category").by_code(code)
        if product is None:
            raise ValidationError(f"No product with SKU or barcode “{code}”.")
        return product


def _store_field(label: str = "Store") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Store.objects.filter(active=True),
        empty_label="Choose a store",
        widget=forms.Select(attrs=LIVE),
    )


def _quantity_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=kwargs.pop("min_value", 1),
        max_value=kwargs.pop("max_value", MAX_QUANTITY),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        **kwargs,
    )


class _MovementForm(IdempotentForm):
    reference = forms.CharField(
        max_length=100, required=False, help_text="Delivery note, order or count sheet number."
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = [
        "store",
        "from_store",
        "to_store",
        "product",
        "quantity",
        "unit_cost",
        "counted_quantity",
        "reason",
        "reference",
        "notes",
    ]


class ReceiveForm(_MovementForm):
    store = _store_field()
    product = ProductCodeField()
    quantity = _quantity_field(label="Quantity received")
    unit_cost = forms.DecimalField(
        label="Unit cost",
        required=False,
        min_value=0,
        decimal_places=4,
        max_digits=18,
        help_text="What one unit cost, in the base currency. Empty: the product's cost price.",
        widget=forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = CompanySettings.load().base_currency
        self.fields["unit_cost"].label = f"Unit cost ({base})"


class RemoveForm(_MovementForm):
    store = _store_field()
    product = ProductCodeField()
    quantity = _quantity_field(label="Quantity to remove")
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *MovementReason.choices])


class AdjustForm(_MovementForm):
    store = _store_field()
    product = ProductCodeField()
    counted_quantity = _quantity_field(
        label="Counted quantity",
        min_value=0,
        max_value=MAX_COUNTED,
        help_text="What is really on the shelf; the difference is recorded.",
    )
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *MovementReason.choices])


class TransferForm(_MovementForm):
    from_store = _store_field("From store")
    to_store = _store_field("To store")
    product = ProductCodeField()
    quantity = _quantity_field(label="Quantity to transfer")

    def clean(self):
        data = super().clean()
        if data.get("from_store") and data.get("from_store") == data.get("to_store"):
            self.add_error("to_store", "Choose a store other than the source.")
        return data


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["name", "code", "address", "contact_name", "phone", "email", "active", "notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not code.replace("-", "").replace("_", "").isalnum():
            raise ValidationError("Use letters, digits, - or _ only.")
        clash = Store.all_objects.annotate(c=Upper("code")).filter(c=code)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError("A store with this code already exists.")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Store.all_objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("A store with this name already exists.")
        return name


class OpeningStockImportForm(ImportForm):
    reference = forms.CharField(
        max_length=100,
        required=False,
        help_text="Written on every movement, e.g. GO-LIVE-2026. Empty: OPENING-<import number>.",
    )
