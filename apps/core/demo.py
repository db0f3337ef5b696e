"""Demo company settings."""

from .models import CompanySettings


def seed(*, stdout) -> None:
    company = CompanySettings.load()
    if company.name == "Demo Trading Ltd" and not company.address:
        company.address = "12 Harbour Road\nPort Town 4021"
        company.tax_id = "GB123456789"
        company.email = "office@demo.test"
        company.phone = "+44 20 7946 0000"
        company.base_currency = "USD"
        company.save()
