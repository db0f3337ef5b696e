"""`seed_demo`'s data for the tests that walk its pages and lists.

The test settings run every background job inline (`Q_CLUSTER["sync"]`), so a plain
`seed_demo` in a test also renders each demo invoice's, credit note's and reminder's PDF/A
and sends its e-mails: ~35 of its ~49 s of CPU on SQLite, and these tests call it a dozen
times a run. `seed_demo_pages()` leaves those jobs queued instead, as they are after
`make run`'s seed until its worker takes them (an invoice page then says "PDF being
rendered…"); every other job (report runs, imports) still runs inline, as do the jobs of
whatever the test does afterwards. tests/invoicing/test_demo.py seeds with every job run.
"""

from contextlib import contextmanager
from io import StringIO

from django.core.management import call_command

# The job groups (apps/invoicing/services/pdf.py, email.py, dunning.py) left queued.
DOCUMENT_JOBS = frozenset({"invoice-pdf", "email"})


@contextmanager
def document_jobs_queued():
    from django_q import tasks

    inline = tasks.async_task

    def enqueue(func, *args, **kwargs):
        if kwargs.get("group") in DOCUMENT_JOBS:
            kwargs.setdefault("sync", False)
        return inline(func, *args, **kwargs)

    tasks.async_task = enqueue
    try:
        yield
    finally:
        tasks.async_task = inline


def seed_demo_pages() -> None:
    with document_jobs_queued():
        call_command("seed_demo", stdout=StringIO())
