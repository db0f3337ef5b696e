from django.db import migrations


def value_existing_stock(apps, schema_editor):
    from apps.inventory.opening_value import stock_value_open

    stock_value_open(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_stock_value"),
        ("ledger", "0003_stock_accounts"),
        ("finance", "0002_currencies"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(value_existing_stock, migrations.RunPython.noop)]
