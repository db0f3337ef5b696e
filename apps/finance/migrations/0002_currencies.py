from django.db import migrations

# ISO 4217 code, name, symbol, minor units: the currencies a small trader meets most.
CURRENCIES = [
    ("USD", "US Dollar", "$", 2),
    ("EUR", "Euro", "€", 2),
    ("GBP", "Pound Sterling", "£", 2),
    ("JPY", "Yen", "¥", 0),
    ("CHF", "Swiss Franc", "CHF", 2),
    ("CAD", "Canadian Dollar", "$", 2),
    ("AUD", "Australian Dollar", "$", 2),
    ("NZD", "New Zealand Dollar", "$", 2),
    ("CNY", "Yuan Renminbi", "¥", 2),
    ("HKD", "Hong Kong Dollar", "$", 2),
    ("SGD", "Singapore Dollar", "$", 2),
    ("SEK", "Swedish Krona", "kr", 2),
    ("NOK", "Norwegian Krone", "kr", 2),
    ("DKK", "Danish Krone", "kr", 2),
    ("PLN", "Zloty", "zł", 2),
    ("CZK", "Czech Koruna", "Kč", 2),
    ("HUF", "Forint", "Ft", 2),
    ("TRY", "Turkish Lira", "₺", 2),
    ("INR", "Indian Rupee", "₹", 2),
    ("BRL", "Brazilian Real", "R$", 2),
    ("MXN", "Mexican Peso", "$", 2),
    ("ZAR", "Rand", "R", 2),
    ("KRW", "Won", "₩", 0),
    ("AED", "UAE Dirham", "د.إ", 2),
    ("SAR", "Saudi Riyal", "﷼", 2),
    ("IRR", "Iranian Rial", "﷼", 2),
    ("KWD", "Kuwaiti Dinar", "د.ك", 3),
    ("BHD", "Bahraini Dinar", ".د.ب", 3),
    ("JOD", "Jordanian Dinar", "د.ا", 3),
    ("ILS", "New Israeli Sheqel", "₪", 2),
    ("EGP", "Egyptian Pound", "£", 2),
    ("NGN", "Naira", "₦", 2),
    ("KES", "Kenyan Shilling", "KSh", 2),
    ("IDR", "Rupiah", "Rp", 2),
    ("THB", "Baht", "฿", 2),
    ("MYR", "Malaysian Ringgit", "RM", 2),
    ("PHP", "Philippine Peso", "₱", 2),
    ("VND", "Dong", "₫", 0),
    ("CLP", "Chilean Peso", "$", 0),
    ("ARS", "Argentine Peso", "$", 2),
    ("COP", "Colombian Peso", "$", 2),
    ("UAH", "Hryvnia", "₴", 2),
    ("RON", "Romanian Leu", "lei", 2),
    ("ISK", "Iceland Krona", "kr", 0),
]


def load(apps, schema_editor):
    """Idempotent; also run after every migrate/flush (FinanceConfig.ready)."""
    Currency = apps.get_model("finance", "Currency")
    for code, name, symbol, minor in CURRENCIES:
        Currency._base_manager.get_or_create(
            code=code, defaults={"name": name, "symbol": symbol, "minor_units": minor}
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
