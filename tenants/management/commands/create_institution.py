from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.actions import do_create_institution
from tenants.provisioning import provision


class Command(BaseCommand):
    help = "Create an institution: its schema, its domain and its first admin (runs here, not in Celery)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", help="Host name; default <slug>.localhost")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--gdpr", action="store_true")
        parser.add_argument("--ferpa", action="store_true")
        parser.add_argument("--ccpa", action="store_true")

    def handle(self, *args, **opts):
        try:
            institution, job = do_create_institution(
                opts["name"], opts["slug"], domain=opts["domain"], admin_email=opts["admin_email"],
                admin_name=opts["admin_name"], acting_user=None, run_now=True,
                gdpr=opts["gdpr"], ferpa=opts["ferpa"], ccpa=opts["ccpa"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        job = provision(job.pk)
        domain = institution.domains.get(is_primary=True).domain
        with tenant_context(institution):
            admin = User.objects.get(email=opts["admin_email"].lower())
            uid = user_pk_to_url_str(admin)
            token = default_token_generator.make_token(admin)
        self.stdout.write(self.style.SUCCESS(
            f"Created {institution.name} (schema {institution.schema_name}) in {job.duration_ms} ms."
        ))
        self.stdout.write(f"Sign-in page: http://{domain}:8000/accounts/login/")
        self.stdout.write(
            f"The admin sets a password at: http://{domain}:8000/accounts/password/reset/key/{uid}-{token}/"
        )
