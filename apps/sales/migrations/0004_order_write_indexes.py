"""A confirm rewrites the order's row (status, an indexed column) with an entry in every
index: 3 fewer (18 -> 15). Dropped: the customer and store indexes (order_customer_idx and
order_store_idx lead with them) and the LIKE-only varchar_pattern_ops twin of currency
(the plain index stays, declared in Meta); a line's order index (the
order_line_one_per_product unique index leads with it). Order lines get fillfactor 70
(PostgreSQL; new pages): the recompute of a draft and the confirm rewrite a line's
amounts and cost, columns no index covers, so those updates stay HOT on the line's page
instead of writing an entry in each of the line's indexes (docs/performance.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.core.sql import fillfactor


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_numbersequence_to_core"),
        ("finance", "0002_currencies"),
        ("inventory", "0007_missing_levels"),
        ("sales", "0003_sales_figures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="currency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="finance.currency",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="customers.customer",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="store",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="inventory.store",
                verbose_name="fulfilment store",
            ),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="order",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="sales.order",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["currency"], name="order_currency_idx"),
        ),
        fillfactor("sales_orderline", 70),
    ]
