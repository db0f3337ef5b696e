from django.db import migrations


def create_missing_accounts(apps, schema_editor):
    """Stock Received Not Billed and Stock Adjustments (stock valuation, issue 10)."""
    from apps.ledger.chart import chart_ensure

    settings = apps.get_model("core", "CompanySettings").objects.filter(pk=1).first()
    currency = settings.base_currency if settings else "USD"
    chart_ensure(apps.get_model("ledger", "Account"), currency=currency)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_of_accounts")]

    operations = [migrations.RunPython(create_missing_accounts, migrations.RunPython.noop)]
