"""Demo data for `python3 dev.py run`: two institutions, their people and a platform operator.

Idempotent: every institution and person is looked up first and created only when missing, and
a password is set only on an account that has none, so a second run changes nothing (and a
password someone changed in the demo is kept). Everything goes through the same actions the
product uses (tenants.actions, accounts.actions), so the demo exercises the real paths.

Each institution also gets teacher1's demo course with work in every state (coursework/demo.py),
made once: it is skipped when teacher1 already has the course.

Northside (the demo institution for provisioning) gets a SCIM token, made once and printed once:
the printed token is for the local demo only (a real institution's admin makes one in its admin,
where it is shown once). The sample OneRoster zips are in integrations/oneroster/samples/.
"""

from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from accounts.actions import do_create_user, do_set_password
from accounts.models import Role, User
from coursework.demo import ensure_demo_coursework
from integrations.scim.actions import do_create_scim_token
from integrations.scim.models import ScimToken
from integrations.sso.demo import ensure_demo_saml
from tenants.actions import do_create_institution
from tenants.models import Institution, ProvisioningJob
from tenants.provisioning import provision

# dev.py prints this with the login URLs; keep the two in step.
DEMO_PASSWORD = "scribe-demo-2026"  # noqa: S105 (public demo data)
OPERATOR_EMAIL = "operator@scribetree.example"
STUDENTS_PER_INSTITUTION = 30
SCIM_DEMO_INSTITUTION = "northside"
SCIM_DEMO_TOKEN_NAME = "Demo identity provider"  # noqa: S105 (a label, not the token)

INSTITUTIONS = [
    {
        "slug": "northside",
        "name": "Northside Academy",
        "domain": "northside.localhost",
        "settings": {"gdpr": True, "ferpa": True, "brand_colour": "#1f5f8b"},
        "admin": "Alex Morgan",
        "privacy": "Priya Raman",
        "teachers": ["Margaret Holloway", "Daniel Osei"],
    },
    {
        "slug": "riverside",
        "name": "Riverside High School",
        "domain": "riverside.localhost",
        "settings": {"ferpa": True, "ccpa": True, "brand_colour": "#7a3b69"},
        "admin": "Jordan Reyes",
        "privacy": "Thomas Becker",
        "teachers": ["Sofia Marchetti", "James Whitaker"],
    },
]

# 30 given names and 29 family names: the strides below walk both lists without repeating a
# given name inside one institution, and the two institutions start at different offsets.
GIVEN_NAMES = [
    "Amara", "Benjamin", "Chloé", "Dmitri", "Esperanza", "Farah", "Gabriel", "Hana", "Isaac", "Jia",
    "Kwame", "Leila", "Mateo", "Niamh", "Oluwaseun", "Priyanka", "Quentin", "Rosa", "Sebastián", "Tariq",
    "Uma", "Valentina", "Wei", "Ximena", "Yusuf", "Zoe", "Aiden", "Bianca", "Connor", "Elif",
]
FAMILY_NAMES = [
    "Okafor", "Nguyen", "García", "Kowalski", "Patel", "O'Brien", "Haddad", "Tanaka", "Müller", "Johansson",
    "Adeyemi", "Rossi", "Kim", "Silva", "Cohen", "Murphy", "Novak", "Fernández", "Ahmed", "Lindqvist",
    "Mensah", "Dubois", "Chen", "Schwartz", "Ivanova", "Kaur", "Yamamoto", "Brennan", "Costa",
]


def student_names(offset):
    for i in range(STUDENTS_PER_INSTITUTION):
        given = GIVEN_NAMES[(7 * i + offset) % len(GIVEN_NAMES)]
        family = FAMILY_NAMES[(11 * i + 3 * offset) % len(FAMILY_NAMES)]
        yield f"{given} {family}"


def people_of(spec, offset):
    """(email, full name, role, student number) for everyone at one institution."""
    slug = spec["slug"]
    yield f"admin@{slug}.example", spec["admin"], Role.INSTITUTION_ADMIN, ""
    yield f"privacy@{slug}.example", spec["privacy"], Role.PRIVACY_OFFICER, ""
    for n, name in enumerate(spec["teachers"], start=1):
        yield f"teacher{n}@{slug}.example", name, Role.TEACHER, ""
    for n, name in enumerate(student_names(offset), start=1):
        yield f"student{n:02d}@{slug}.example", name, Role.STUDENT, f"{slug[:2].upper()}-2026-{n:03d}"


class Command(BaseCommand):
    help = "Create the demo institutions (Northside, Riverside), their people and a platform operator. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password for every demo account.")

    def handle(self, *args, **opts):
        password = opts["password"]
        self._ensure_operator(password)
        created = 0
        courses = []
        scim_lines = []
        for offset, spec in enumerate(INSTITUTIONS):
            institution = self._ensure_institution(spec)
            with tenant_context(institution):
                created += self._ensure_people(spec, offset * 5, password)
                if self._ensure_coursework(spec):
                    courses.append(spec["slug"])
                if spec["slug"] == SCIM_DEMO_INSTITUTION:
                    scim_lines = self._ensure_scim_token(spec)
                if spec["slug"] == "northside":
                    # Sign-in through the local dev IdP (README: "Single sign-on in the demo").
                    ensure_demo_saml()
                self._ensure_privacy(spec, password)
        connection.set_schema_to_public()
        if opts["verbosity"] >= 1:
            made = f"demo course created at {', '.join(courses)}" if courses else "demo courses already there"
            self.stdout.write(f"Demo data ready ({created} accounts created; {made}).")
            for line in scim_lines:
                self.stdout.write(line)

    def _ensure_scim_token(self, spec):
        """Make the demo SCIM token once. Its raw value exists only in this run's output."""
        base = f"http://{spec['domain']}:8000"
        if ScimToken.objects.filter(name=SCIM_DEMO_TOKEN_NAME, revoked_at__isnull=True).exists():
            return [f"SCIM: the demo token exists (shown when it was made). New tokens: "
                    f"{base}/admin/integrations_scim/scimtoken/add/ ; SCIM base URL {base}/scim/v2/"]
        admin = User.objects.get(email=f"admin@{spec['slug']}.example")
        _, raw = do_create_scim_token(SCIM_DEMO_TOKEN_NAME, acting_user=admin)
        return [f"SCIM (demo only) for {spec['name']}: base URL {base}/scim/v2/  bearer token {raw}",
                f"  try: curl -H 'Authorization: Bearer {raw}' -H 'Host: {spec['domain']}' "
                f"'http://127.0.0.1:8000/scim/v2/Users?count=2'"]

    def _ensure_operator(self, password):
        with schema_context(get_public_schema_name()):
            if not User.objects.filter(email=OPERATOR_EMAIL).exists():
                User.objects.create_superuser(OPERATOR_EMAIL, password, full_name="Platform Operator")

    def _ensure_institution(self, spec):
        institution = Institution.objects.filter(slug=spec["slug"]).first()
        if institution is None:
            institution, job = do_create_institution(
                spec["name"], spec["slug"], domain=spec["domain"], admin_email=f"admin@{spec['slug']}.example",
                admin_name=spec["admin"], acting_user=None, run_now=True, **spec["settings"],
            )
        else:
            job = ProvisioningJob.objects.get(institution=institution)
        if job.state != ProvisioningJob.State.DONE:
            provision(job.pk)
        institution.refresh_from_db()
        return institution

    def _ensure_people(self, spec, offset, password):
        existing = {user.email: user for user in User.objects.all()}
        created = 0
        for email, full_name, role, student_number in people_of(spec, offset):
            user = existing.get(email)
            if user is None:
                do_create_user(email, full_name, role, password=password, student_number=student_number,
                               acting_user=None)
                created += 1
            elif not user.has_usable_password():
                # The provisioning job creates the institution admin without a password.
                do_set_password(user, password, acting_user=None)
        return created

    def _ensure_privacy(self, spec, password):
        """The privacy notice and a guardian of student01 (privacy/demo.py)."""
        from privacy.demo import ensure_demo_privacy

        officer = User.objects.get(email=f"privacy@{spec['slug']}.example")
        ensure_demo_privacy(school=spec["name"], slug=spec["slug"], officer=officer, password=password)

    def _ensure_coursework(self, spec):
        """teacher1's course with all 30 students (coursework/demo.py). True when it was created now."""
        slug = spec["slug"]
        teacher = User.objects.get(email=f"teacher1@{slug}.example")
        emails = [f"student{n:02d}@{slug}.example" for n in range(1, STUDENTS_PER_INSTITUTION + 1)]
        students = list(User.objects.filter(email__in=emails).order_by("email"))
        course = ensure_demo_coursework(teacher=teacher, students=students, school=spec["name"], seed=slug)
        if course is not None:  # writing support (issue 7): the assistant and integrity signals on it
            from django.db import transaction

            from assist.demo import ensure_demo_assist
            from integrity.demo import ensure_demo_integrity

            with transaction.atomic():
                ensure_demo_assist(course, teacher, students)
                ensure_demo_integrity(course, teacher, students, seed=slug)
        return course is not None
