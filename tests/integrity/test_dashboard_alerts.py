"""Teacher alerts on the course dashboard, which is cached under version tokens (coursework/freshness.py)."""

from tests.integrity.base import IntegrityTestCase, words


class DashboardAlertTests(IntegrityTestCase):
    def test_an_alert_appears_on_the_cached_dashboard_once_the_check_has_run(self):
        path = f"/teach/courses/{self.course.pk}/"
        sam = self.person("student")
        submission = self.save(sam, ["Intro."], active_seconds=10, typed_chars=6)
        submission = self.save(sam, ["Intro.\n\n" + words(500)], pasted_chars=3500, paste_sizes=[3500])
        self.submit(submission)  # submitted, but the check has not run yet (no commit in a test)
        first = self.tara.get(path)
        self.assertNotContains(first, "Writing-process observations")
        self.assertNotIn("progress", self.tara.get(path).context)  # now served from the cache
        from integrity import checks
        from integrity.models import IntegrityJob

        job = IntegrityJob.objects.get(submission=submission)
        checks.run(job.pk)
        response = self.tara.get(path)
        self.assertContains(response, "Writing-process observations (1)")
        self.assertContains(response, f'href="/teach/submissions/{submission.pk}/#integrity"')
        self.assertContains(response, "pasted text")

    def test_riverside_never_sees_northside_alerts(self):
        sam = self.person("student")
        submission = self.save(sam, ["Intro.\n\n" + words(500)], pasted_chars=3500, paste_sizes=[3500])
        self.submit_and_check(submission)
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        # Ids are per schema: Northside's course id at Riverside is Rita's own course or nothing.
        response = rita.get(f"/teach/courses/{self.riverside_course.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Writing-process observations")
        self.assertNotContains(response, "Sam Student")
