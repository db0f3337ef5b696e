"""Indexes the top-up queue's sorts walk (CreditRequestTable): status (the queue index, now
ascending in time: it serves the pending filter either way), amount and note, each then by
time; a deep page's keys read the index instead of sorting every request."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0008_log_sort_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="creditrequest",
            name="credit_request_queue_idx",
        ),
        migrations.AddIndex(
            model_name="creditrequest",
            index=models.Index(fields=["status", "created_at"], name="credit_request_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="creditrequest",
            index=models.Index(fields=["amount", "created_at"], name="credit_request_amount_idx"),
        ),
        migrations.AddIndex(
            model_name="creditrequest",
            index=models.Index(fields=["note", "created_at"], name="credit_request_note_idx"),
        ),
    ]
