"""The canary sweep: a student with marker strings everywhere is erased; no marker may survive.

Cara is given a unique marker ("qzxqzx...", six letters so that no random token or hash contains
one by chance, and the address 10.99.88.77) in every personal field,
her essay and its revisions (splices and zlib keyframes), her reflection, a teacher's comment
quoting her and the feedback on her work, a rubric comment, peer reviews she wrote and received,
her sign-in session (address, browser), an admin's change to her, audit-log rows (changes,
object_repr, remote_addr), an export zip in file storage and a cached analytics summary. After the
erasure every text, json, inet and bytea column of every table in Northside's schema is scanned
(bytea also zlib-decompressed), with the file storage and the cache: nothing may contain a marker.
The certificate lists what was kept (requests, audit rows): those rows must be marker-free too.
"""

import contextlib
import os
import pickle
import re
import zipfile
import zlib
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import Role
from coursework.actions import (
    do_add_comment,
    do_allocate_peer_review_manually,
    do_configure_peer_review,
    do_enrol_student,
    do_grade_submission,
    do_score_rubric,
    do_submit_peer_review,
    do_submit_stage,
)
from coursework.models import PeerReviewAllocation, RubricLevel, Stage
from privacy.actions import do_comment_on_request
from privacy.models import PrivacyRequest, Purpose
from privacy.tasks import analytics_cache_key, build_writing_analytics
from tests.base import PASSWORD
from tests.privacy.base import PrivacyTestCase

MARKER = re.compile(r"qzxqzx|10\.99\.88\.77", re.IGNORECASE)
IP = "10.99.88.77"
TEXT_TYPES = {"text", "character varying", "character", "json", "jsonb", "inet"}


class CanarySweepTests(PrivacyTestCase):
    def plant(self):
        tara, cleo, admin = self.person("teacher"), self.person("classmate"), self.person("admin")
        cara = do_create_user("cara.qzxqzxmail@northside.example", "Cara Qzxqzxname", Role.STUDENT,
                              password=PASSWORD, student_number="qzxqzxnum-77", acting_user=admin)
        self.people["cara"] = cara
        do_enrol_student(self.course, cara, acting_user=tara)
        # An admin corrects her preferred name in the admin (django's own admin log, and auditlog).
        admin_client = self.signed_in_client("admin")
        admin_client.post(f"/admin/accounts/user/{cara.pk}/change/", {
            "email": cara.email, "full_name": cara.full_name, "preferred_name": "Qzxqzxpref",
            "student_number": "qzxqzxnum-77", "role": "student", "is_active": "on"})
        # She signs in from a marked address and browser.
        browser = self.client_for(self.northside)
        browser.post("/accounts/login/", {"login": cara.email, "password": PASSWORD},
                     HTTP_USER_AGENT="Qzxqzxagent/1.0", REMOTE_ADDR=IP)
        browser.post(f"/privacy/consent/{cara.pk}", {"purpose": Purpose.ANALYTICS, "answer": "accepted"},
                     REMOTE_ADDR=IP)
        # Her essay: enough saves to have splices and a second keyframe (every 50th revision).
        texts = [f"Qzxqzxessay opening {i}. " + "Sleep matters for learning. " * 12 for i in range(55)]
        work = self.write(cara, texts)
        do_submit_stage(work, reflection="Qzxqzxreflect: I tightened the thesis.", acting_user=cara)
        do_add_comment(work, revision_number=55, start=0, end=20, body="Qzxqzxcomment: good start",
                       acting_user=tara)
        level = RubricLevel.objects.filter(criterion__rubric=self.rubric).first()
        do_score_rubric(work, level, comment="Qzxqzxrubric: clear thesis", acting_user=tara)
        do_grade_submission(work, grade=70, general_comment="Qzxqzxgeneral: well argued", acting_user=tara)
        teacher = self.signed_in_client("teacher")
        teacher.get(f"/teach/submissions/{work.pk}/")  # access-logged
        teacher.get(f"/teach/courses/{self.course.pk}/")  # the dashboard's cards are cached with her name
        # Peer review: Cara and Cleo review each other.
        now = timezone.now()
        draft = self.essay.stages.get(kind=Stage.Kind.DRAFT)
        do_configure_peer_review(self.essay, stage=draft, opens_at=now - timedelta(hours=1),
                                 closes_at=now + timedelta(days=3), guiding_questions=["Main claim?"],
                                 reviewers_per_submission=1, acting_user=tara)
        cleos = self.write(cleo, ["Cleo's essay on uniforms."])
        do_submit_stage(cleos, acting_user=cleo)
        mine = do_allocate_peer_review_manually(self.essay, cara, cleos, acting_user=tara)
        do_allocate_peer_review_manually(self.essay, cleo, work, acting_user=tara)
        do_submit_peer_review(mine, body="Qzxqzxpeer: convincing", answers=["Qzxqzxanswer"],
                              acting_user=cara)
        theirs = PeerReviewAllocation.objects.get(reviewer=cleo, submission=work)
        do_submit_peer_review(theirs, body="Cleo liked the qzxqzxessay opening", answers=["sleep"],
                              acting_user=cleo)
        # A cached summary built from her writing, and an export zip in file storage.
        build_writing_analytics.delay(person_id=cara.pk)
        self.assertIsNotNone(cache.get(analytics_cache_key(cara.pk)))
        cache.set(f"privacy:analytics:{cara.pk}", {"name": cara.full_name}, 60)
        exported = self.file("cara", PrivacyRequest.Kind.EXPORT)
        self.approve(exported)
        # A request record that is kept after the erasure, naming her in its free text.
        corrected = self.file("cara", PrivacyRequest.Kind.RECTIFICATION,
                              details="My name is Cara Qzxqzxname; my old address cara.qzxqzxmail@northside.example")
        do_comment_on_request(corrected, "Checked cara.qzxqzxmail@northside.example against the register.",
                              acting_user=self.person("privacy_officer"))
        return cara

    def findings(self):
        """Every place a marker still is: (where, sample)."""
        found = []
        schema = self.northside.schema_name
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                           "WHERE table_schema = %s ORDER BY table_name, ordinal_position", [schema])
            columns = cursor.fetchall()
            for table, column, data_type in columns:
                qualified = f'"{schema}"."{table}"'
                if (table, column) == ("django_session", "session_data"):  # signed and encoded: decode it
                    cursor.execute(f"SELECT session_data FROM {qualified}")
                    found += [("django_session.session_data", "decoded") for (value,) in cursor.fetchall()
                              if MARKER.search(repr(SessionStore().decode(value)))]
                elif data_type in TEXT_TYPES:
                    cursor.execute(f'SELECT "{column}"::text FROM {qualified} '
                                   f'WHERE "{column}"::text ~* %s', [MARKER.pattern])
                    found += [(f"{table}.{column}", value[:80]) for (value,) in cursor.fetchall()]
                elif data_type == "bytea":
                    cursor.execute(f'SELECT "{column}" FROM {qualified} WHERE "{column}" IS NOT NULL')
                    for (value,) in cursor.fetchall():
                        data = bytes(value)
                        with contextlib.suppress(zlib.error):
                            data += zlib.decompress(data)
                        if MARKER.search(data.decode("utf-8", "replace")):
                            found.append((f"{table}.{column}", "bytes"))
        for root, _, files in os.walk(settings.MEDIA_ROOT):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    blob = handle.read()
                if zipfile.is_zipfile(path):
                    with zipfile.ZipFile(path) as archive:
                        blob += b"".join(archive.read(n) for n in archive.namelist())
                if MARKER.search(blob.decode("utf-8", "replace")):
                    found.append(("file", path))
        for key, value in getattr(cache, "_cache", {}).items():
            # Our own test cache's values (locmem pickles them): trusted data.
            shown = repr(pickle.loads(value)) if isinstance(value, bytes) else repr(value)  # noqa: S301
            if MARKER.search(shown):
                found.append(("cache", key))
        return found

    def test_no_marker_survives_the_erasure(self):
        cara = self.plant()
        # The markers really are planted in each kind of place the sweep looks at.
        planted = {where.split(".")[0] for where, _ in self.findings()}
        for table in ["accounts_user", "account_emailaddress", "coursework_submission", "coursework_revision",
                      "coursework_stagesubmission", "coursework_comment", "coursework_rubricscore",
                      "coursework_peerreview", "usersessions_usersession", "auditlog_logentry", "django_admin_log",
                      "privacy_privacyrequest", "privacy_requestcomment", "file", "cache"]:
            self.assertIn(table, planted)

        erased = self.file("cara", PrivacyRequest.Kind.ERASURE)
        self.approve(erased)
        erased.refresh_from_db()
        self.assertEqual(erased.state, "completed")

        self.assertEqual(self.findings(), [])
        self.assertIsNone(cache.get(analytics_cache_key(cara.pk)))
        certificate = erased.job.certificate
        self.assertEqual(certificate["erased"]["coursework.Revision"], 55)
        self.assertEqual(certificate["files_removed"], 1)
        self.assertTrue(certificate["sessions_ended"])
        self.assertEqual({k["model"] for k in certificate["kept"]}, {
            "privacy.PrivacyRequest", "privacy.RequestComment", "privacy.PrivacyJob", "auditlog.LogEntry"})
