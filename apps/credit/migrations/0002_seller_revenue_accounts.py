"""Charge Revenue becomes a group with one sub-account per seller (4100-<user id>).

A charge then updates only rows of its own seller (its credit account, its revenue
account, its balance), so charges of different sellers no longer queue on one shared
Charge Revenue balance row (docs/performance.md, issue 14). On a database that already
has postings on the old 4100 leaf, that leaf keeps them, renamed 4100-000000 "Charge
Revenue (before per-seller accounts)", under the new 4100 group: posted lines are never
moved or edited.
"""

import django.db.models.deletion
from django.db import migrations, models

GROUP = "4100"
LEGACY = "4100-000000"


def revenue_accounts(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    JournalLine = apps.get_model("ledger", "JournalLine")
    Seller = apps.get_model("credit", "Seller")
    group = Account.objects.filter(code=GROUP).first()
    if group is None:  # the chart has not been created (an empty database): nothing to do
        return
    if not group.is_group:
        if JournalLine.objects.filter(account=group).exists():
            old = group
            old.code, old.name = LEGACY, "Charge Revenue (before per-seller accounts)"
            old.save(update_fields=["code", "name"])
            group = Account.objects.create(
                code=GROUP,
                name="Charge Revenue",
                type=old.type,
                currency_id=old.currency_id,
                parent_id=old.parent_id,
                is_group=True,
            )
            Account.objects.filter(pk=old.pk).update(parent=group)
        else:
            Account.objects.filter(pk=group.pk).update(is_group=True)
    for seller in Seller.objects.select_related("user", "account").order_by("pk"):
        account = Account.objects.create(
            code=f"{GROUP}-{seller.user_id:06d}",
            name=f"Charge revenue: {seller.company}"[:120],
            type=group.type,
            currency_id=seller.account.currency_id,
            parent=group,
        )
        Seller.objects.filter(pk=seller.pk).update(revenue_account=account)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_initial"),
        ("ledger", "0003_stock_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="seller",
            name="revenue_account",
            field=models.OneToOneField(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="seller_revenue",
                to="ledger.account",
            ),
        ),
        migrations.RunPython(revenue_accounts, migrations.RunPython.noop),
    ]
