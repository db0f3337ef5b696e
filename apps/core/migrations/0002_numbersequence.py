"""NumberSequence moves from customers to core (DESIGN.md §3): a new core table, filled
with the counters customers kept, so every series continues where it stood."""

from django.db import migrations, models


def copy_counters(apps, schema_editor):
    try:
        old = apps.get_model("customers", "NumberSequence")
    except LookupError:
        return
    new = apps.get_model("core", "NumberSequence")
    new.objects.bulk_create(
        [new(name=row.name, last_value=row.last_value) for row in old.objects.all()]
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("customers", "NumberSequence")
    new = apps.get_model("core", "NumberSequence")
    old.objects.bulk_create(
        [old(name=row.name, last_value=row.last_value) for row in new.objects.all()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="NumberSequence",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("last_value", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(copy_counters, copy_back),
    ]
