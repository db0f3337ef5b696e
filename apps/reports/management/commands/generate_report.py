"""generate_report --type T --start D --end D [--format csv|pdf|json] [--output F]
(DESIGN.md §9): the same code as a queued run, executed here and now."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.reports.models import RunStatus
from apps.reports.registry import REPORTS
from apps.reports.services import report_run_execute, report_run_request


class Command(BaseCommand):
    help = "Run a report synchronously and write it as CSV, PDF or JSON (stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, choices=sorted(REPORTS))
        parser.add_argument("--start", help="first day, YYYY-MM-DD (period reports)")
        parser.add_argument("--end", required=True, help="last day or as-of date, YYYY-MM-DD")
        parser.add_argument("--format", default="csv", choices=["csv", "pdf", "json"])
        parser.add_argument("--output", help="file to write (default: stdout)")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a form field, e.g. group_by=product or store=3 (repeatable)",
        )

    def handle(self, *args, type, start, end, format, output, param, **options):
        spec = REPORTS[type]
        data = {"end": end}
        if start:
            data["start"] = start
        for item in param:
            name, _, value = item.partition("=")
            data[name.strip()] = value.strip()
        form = spec.form_class(data=data)
        if not form.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()
            )
            raise CommandError(problems)
        run = report_run_request(type=type, parameters=form.parameters(), queue=False)
        run = report_run_execute(run_id=run.pk)
        if run.status != RunStatus.DONE:
            raise CommandError(f"Report run #{run.pk} failed: {run.error}")
        if format == "json":
            content = (json.dumps(run.result, indent=2) + "\n").encode()
        else:
            with (run.csv_file if format == "csv" else run.pdf_file).open("rb") as f:
                content = f.read()
        if output:
            with open(output, "wb") as f:
                f.write(content)
            self.stderr.write(f"Report run #{run.pk}: wrote {len(content)} bytes to {output}")
        elif format == "pdf":
            sys.stdout.buffer.write(content)
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
