from django.db import migrations


def create_chart(apps, schema_editor):
    from apps.ledger.chart import chart_ensure

    settings = apps.get_model("core", "CompanySettings").objects.filter(pk=1).first()
    currency = settings.base_currency if settings else "USD"
    chart_ensure(apps.get_model("ledger", "Account"), currency=currency)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("finance", "0002_currencies"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_chart, migrations.RunPython.noop)]
