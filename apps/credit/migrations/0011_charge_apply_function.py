"""The seller's lock window of a charge as a PL/pgSQL function (PostgreSQL only), called by
the one charge statement (apps/credit/services/charges.py, `_charge_statement`).

Why a function: in the one statement, a charge that waited for its seller's row (another
charge of the same seller held it) re-checked the debit with EvalPlanQual, which starts
every sub-plan of the statement again (all its CTEs: five inserts, their indexes), and then
again for each of the two account updates, whose rows had also moved on since the
statement's snapshot; all of it while holding the seller's row. Each statement inside a
VOLATILE function takes its own snapshot: the debit re-checks only its own small plan, and
the account updates, which run after it, see the rows' latest versions and need no re-check.

What it does is what the statement's `debit`, `first` and `second` steps did: debit the
seller (only while `p_status`, covered by the balance, the key unused), then move each
account in `p_accounts` (ascending ids: primary-key lock order) by its `p_nets` amount
(debit minus credit, in base units; the balance's sign by `p_debit_normal`), only while
the account takes postings. It returns the new balance and the time under the seller's
lock, or no row when any step did not apply; the statement's log row then gets a NULL
balance_after and the whole statement fails (nothing is written).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION credit_charge_apply(
    p_seller bigint, p_amount numeric, p_key varchar, p_status varchar,
    p_accounts bigint[], p_nets numeric[], p_debit_normal varchar[]
) RETURNS TABLE (new_balance numeric, charged_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    balance_after numeric;
BEGIN
    UPDATE credit_seller AS s SET balance = s.balance - p_amount
    WHERE s.id = p_seller AND s.status = p_status AND s.balance >= p_amount
        AND NOT EXISTS (SELECT 1 FROM credit_transactionlog AS l
            WHERE l.seller_id = p_seller AND l.idempotency_key = p_key)
    RETURNING s.balance INTO balance_after;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_accounts, 1), 0) LOOP
        UPDATE ledger_account AS a SET balance = a.balance
            + p_nets[i] * CASE WHEN a.type = ANY (p_debit_normal) THEN 1 ELSE -1 END
        WHERE a.id = p_accounts[i] AND a.active AND NOT a.is_group AND a.deleted_at IS NULL;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END LOOP;
    new_balance := balance_after;
    charged_at := clock_timestamp();
    RETURN NEXT;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS credit_charge_apply(bigint, numeric, varchar, varchar, bigint[], numeric[], varchar[])"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0010_log_search_indexes"),
        ("ledger", "0009_entry_search_trigram"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
