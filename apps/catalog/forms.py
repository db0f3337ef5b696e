from django import forms
from django.core.exceptions import ValidationError

from apps.core.media import image_side_problem
from apps.core.models import CompanySettings
from apps.finance.models import Currency, TaxRate

from .imports import MAX_BYTES
from .models import Category, Product
from .services import PRODUCT_FIELDS, barcode_clash, sku_clash

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["currency"].queryset = Currency.objects.filter(active=True)
        self.fields["tax_rate"].queryset = TaxRate.objects.filter(active=True)
        company = CompanySettings.load()
        if not self.instance.pk:
            self.fields["currency"].initial = company.base_currency
        self.fields["low_stock_threshold"].help_text = (
            "Alert at or below this quantity; empty uses the company default "
            f"({company.default_low_stock_threshold})."
        )

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if problem := sku_clash(sku, exclude_pk=self.instance.pk):
            raise ValidationError(problem)
        return sku

    def clean_barcode(self):
        barcode = self.cleaned_data["barcode"].strip()
        if barcode and (problem := barcode_clash(barcode, exclude_pk=self.instance.pk)):
            raise ValidationError(problem)
        return barcode

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise ValidationError("The image is larger than 5 MB.")
        if problem := image_side_problem(image):
            raise ValidationError(problem)
        return image


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Category.all_objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("A category with this name already exists.")
        return name


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV with a header row; at most {MAX_BYTES // 1024 // 1024} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError("Upload a .csv file.")
        return upload
