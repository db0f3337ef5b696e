"""Finance invariants for check_books."""

from apps.core.books import CheckResult, register
from apps.core.models import CompanySettings

from .models import Currency, ExchangeRate


@register("finance.base_currency", "The company's base currency exists and is active.")
def base_currency_defined() -> CheckResult:
    code = CompanySettings.load().base_currency
    ok = Currency.objects.filter(pk=code, active=True).exists()
    return CheckResult(
        counted=1, violations=[] if ok else [f"base currency {code} is missing or inactive"]
    )


@register(
    "finance.exchange_rates",
    "Every exchange rate is positive and none is quoted for the base currency.",
)
def exchange_rates_valid() -> CheckResult:
    base = CompanySettings.load().base_currency
    violations = [f"{r} is not positive" for r in ExchangeRate.objects.filter(rate__lte=0)]
    violations += [
        f"{r} quotes the base currency" for r in ExchangeRate.objects.filter(currency_id=base)
    ]
    return CheckResult(counted=ExchangeRate.objects.count(), violations=violations)
