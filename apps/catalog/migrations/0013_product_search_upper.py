"""A short product search read from one stored column (PostgreSQL only).

A search of one or two characters makes no trigram, so it reads every product; written as
Django's `icontains` it upper-cases both the name and the SKU of each row as it reads it,
which costs 3x the read itself (100,000 products: ~65 ms against ~20 ms for a plain
LIKE). `search_upper` keeps `UPPER(name)`, a newline and `UPPER(sku)`, computed by
PostgreSQL when a row is written; `ProductQuerySet.search` matches a short text against it
with the same `LIKE UPPER(...)` (apps/catalog/models.py). A stripped search text of one or
two characters has no newline, so no match can span the name and the SKU.

Not a model field: the Django state does not know it (so no form, serializer or audit
snapshot reads it, and SQLite, whose ALTER TABLE cannot add a stored column, keeps its
table and the triggers on it); `INSERT` and `COPY` name their columns, and PostgreSQL
computes this one.
"""

from django.db import migrations

from apps.core.sql import by_vendor

ADD = (
    "ALTER TABLE catalog_product ADD COLUMN search_upper text"
    " GENERATED ALWAYS AS (UPPER(name::text) || E'\\n' || UPPER(sku::text)) STORED"
)
DROP = "ALTER TABLE catalog_product DROP COLUMN search_upper"


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_product_total"),
    ]

    operations = [
        by_vendor({"postgresql": [ADD], "sqlite": []}, {"postgresql": [DROP], "sqlite": []})
    ]
