"""Privacy tests: English 10 (tests/coursework/base.py) with Sam's work in it, made through the actions."""

import shutil
import tempfile

from django.core.cache import cache
from django.core.files.storage import storages
from django.test import override_settings
from django.utils import timezone

from coursework.actions import (
    do_add_comment,
    do_grade_submission,
    do_save_draft,
    do_submit_stage,
    get_or_start_submission,
)
from privacy.actions import do_decide_request, do_file_request
from tests.base import PASSWORD
from tests.coursework.base import CourseworkTestCase


def _forget_media_root():
    # django-tenants 4.0.1's TenantFileSystemStorage caches MEDIA_ROOT and its setting_changed
    # handler never clears it (it passes `settings` for `setting`), so override_settings alone would
    # leave files in whichever folder the first test of the process used.
    storages["default"].__dict__.pop("relative_media_root", None)


class PrivacyTestCase(CourseworkTestCase):
    """Adds: Sam has written, submitted and been graded on the essay (3 revisions, a teacher comment).

    Files go to a temporary MEDIA_ROOT per test class; the cache is emptied before each test.
    """

    @classmethod
    def setUpClass(cls):
        cls._media = tempfile.mkdtemp(prefix="privacy-media-")
        cls._media_override = override_settings(MEDIA_ROOT=cls._media)
        cls._media_override.enable()
        _forget_media_root()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_override.disable()
        _forget_media_root()
        shutil.rmtree(cls._media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        sam, tara = cls.people["student"], cls.people["teacher"]
        cls.sams_work = cls.write(sam, ["Schools should start later.", "Schools should start later. Sleep matters.",
                                        "Schools should start later, because sleep matters."])
        do_submit_stage(cls.sams_work, reflection="I worked on my thesis.", acting_user=sam)
        do_add_comment(cls.sams_work, revision_number=3, start=0, end=7, body="Which schools?", acting_user=tara)
        do_grade_submission(cls.sams_work, grade=80, general_comment="A clear argument.", acting_user=tara)

    @classmethod
    def write(cls, student, texts, assignment=None):
        submission = get_or_start_submission(assignment or cls.essay, student)
        for text in texts:
            submission, _ = do_save_draft(submission, text, base_revision=submission.revision_number,
                                          acting_user=student, process={"active_seconds": 30, "typed_chars": 20})
        return submission

    def setUp(self):
        super().setUp()
        cache.clear()

    # --- Helpers ---------------------------------------------------------------------------------------

    def reauthenticated_client(self, key, institution=None):
        """Signed in, then re-authenticated with the password through allauth's own page."""
        client = self.signed_in_client(key, institution)
        response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
        return client

    def file(self, key, kind, *, subject=None, details="", acting=None):
        subject = subject or self.person(key)
        return do_file_request(subject, kind, details=details, identity_verified_at=timezone.now(),
                               acting_user=acting or self.person(key), institution=self.northside)

    def approve(self, request, note=""):
        with self.captureOnCommitCallbacks(execute=True):
            return do_decide_request(request, approve=True, note=note, acting_user=self.person("privacy_officer"))
