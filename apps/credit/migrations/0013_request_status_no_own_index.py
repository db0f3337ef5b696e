"""The credit request's status without an index of its own: credit_request_queue_idx
(status, created_at) leads with it and serves every status filter and sort. With both, a
status sort on a few rows could walk either (and sort within each status on the shorter)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0012_log_no_currency_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
    ]
