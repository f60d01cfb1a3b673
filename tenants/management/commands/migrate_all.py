from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.provisioning import ensure_template_schema


class Command(BaseCommand):
    help = "Migrate public, the template schema new institutions are cloned from, and every institution."

    def add_arguments(self, parser):
        parser.add_argument("--parallel", action="store_true", help="Migrate institutions in parallel.")

    def handle(self, *args, **opts):
        verbosity = opts["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        ensure_template_schema(verbosity=verbosity)
        executor = ["--executor=multiprocessing"] if opts["parallel"] else []
        call_command("migrate_schemas", *executor, tenant=True, interactive=False, verbosity=verbosity)
