"""The reference stamp (apps.core.reference): its one row, and the triggers on core's own
reference tables (company settings) and on the content types the journal's filter lists."""

from django.db import migrations, models

from apps.core.reference import stamp_trigger


def first_stamp(apps, schema_editor):
    apps.get_model("core", "ReferenceStamp").objects.create(id=1, value=1)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_audit_event_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferenceStamp",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("value", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="reference_stamp_one"
                    )
                ],
            },
        ),
        migrations.RunPython(first_stamp, migrations.RunPython.noop),
        stamp_trigger("core_companysettings"),
        stamp_trigger("django_content_type"),
    ]
