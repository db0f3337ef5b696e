from django.contrib import admin

from .models import Address, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "email", "currency", "credit_limit", "active")
    search_fields = ("code", "name", "email")
    list_filter = ("kind", "active", "currency")
    readonly_fields = ("code",)
    inlines = [ContactInline, AddressInline]
