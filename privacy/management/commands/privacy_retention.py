"""Apply (or, with --dry-run, report) retention in one institution or all of them."""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from privacy.retention import run
from tenants.models import Institution


class Command(BaseCommand):
    help = "Delete or anonymise what is past its retention period (--dry-run: only report)."

    def add_arguments(self, parser):
        parser.add_argument("--institution", help="slug; default: every ready institution")
        parser.add_argument("--dry-run", action="store_true", help="report what would be done, change nothing")

    def handle(self, *args, institution=None, dry_run=False, **options):
        institutions = Institution.objects.filter(status=Institution.Status.READY)
        if institution:
            institutions = institutions.filter(slug=institution)
            if not institutions.exists():
                raise CommandError(f"No ready institution with the slug {institution!r}.")
        for inst in institutions:
            with tenant_context(inst):
                report = run(inst, dry_run=dry_run)
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{inst.slug}: {report.summary()} ({report.seconds:.2f} s)")
