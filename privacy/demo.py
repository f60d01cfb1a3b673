"""Demo privacy data for `seed_demo`: the institution's privacy notice (active), and a guardian
(guardian01@<slug>.example) linked to student01, who is 14. Idempotent; made through the actions."""

from datetime import date

from accounts.actions import do_create_user
from accounts.models import Role, User
from privacy.actions import do_create_notice, do_link_guardian, do_publish_notice
from privacy.models import GuardianLink, PrivacyNotice

NOTICE = """{school} uses Scribe Tree to teach writing.

What we keep: your account (name, e-mail, student number), your writing and every saved version of it, feedback
and grades, and peer reviews you write. Why: to teach and assess you (public task). How long: coursework for
three years after the course ends, audit records for seven.

Optional uses, only if you agree on your privacy page (you can change your mind at any time): AI writing
assistance, analytics about how you write, and use of your work in educational research. Your drafts are shown
to classmates in peer review unless you decline it there.

Your rights: a copy of your data, correction, erasure, and restriction. Ask from your privacy page; we answer
within the legal deadline shown there."""


def ensure_demo_privacy(*, school, slug, officer, password):
    if not PrivacyNotice.objects.exists():
        notice = do_create_notice(NOTICE.format(school=school), acting_user=officer)
        do_publish_notice(notice, acting_user=officer)
    student = User.objects.filter(email=f"student01@{slug}.example").first()
    guardian = User.objects.filter(email=f"guardian01@{slug}.example").first()
    if guardian is None:
        name = f"Guardian of {student.full_name}" if student else "Demo Guardian"
        guardian = do_create_user(f"guardian01@{slug}.example", name, Role.GUARDIAN, password=password,
                                  acting_user=officer)
    if student is not None and not GuardianLink.objects.filter(guardian=guardian, student=student).exists():
        do_link_guardian(guardian, student, student_birth_date=date(2012, 9, 1), relationship="parent",
                         acting_user=officer)
