from django.core.management.base import BaseCommand

from apps.core.books import run_checks


class Command(BaseCommand):
    help = (
        "Verify every registered invariant (stock, books, credit, invoices); exit 1 on a violation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-violations", type=int, default=20, help="violations listed per check"
        )

    def handle(self, *args, max_violations: int, **options):
        ok, results = run_checks(triggered_by="check_books command")
        for result in results:
            status = self.style.SUCCESS("OK  ") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(
                f"{status} {result.name}: {result.counted} checked, {len(result.violations)} violations"
            )
            if result.description:
                self.stdout.write(f"     {result.description}")
            for violation in result.violations[:max_violations]:
                self.stdout.write(f"     - {violation}")
            if len(result.violations) > max_violations:
                self.stdout.write(f"     ... and {len(result.violations) - max_violations} more")
        self.stdout.write(f"{len(results)} checks, {'all passed' if ok else 'VIOLATIONS FOUND'}")
        if not ok:
            raise SystemExit(1)
