import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_entry_total"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                django.db.models.lookups.IsNull(models.F("posted_by"), True),
                models.Case(
                    models.When(
                        django.db.models.lookups.IsNull(models.F("posted_by"), True),
                        then=models.F("id"),
                    )
                ),
                name="ledger_entry_poster_idx",
            ),
        ),
    ]
