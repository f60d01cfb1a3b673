from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from coursework.models import Assignment
from tenants.actions import do_update_institution_settings
from tenants.models import Institution
from tests.coursework.teacher.base import TeacherTestCase


class InstitutionTimeZoneTests(TeacherTestCase):
    """Each institution shows and takes dates in its own time zone; the server's is UTC."""

    def setUp(self):
        super().setUp()
        # Through the settings action, as Northside's admin would: it also refreshes every process's
        # host directory (a bare UPDATE left a directory cached by an earlier test in this worker).
        do_update_institution_settings(Institution.objects.get(pk=self.northside.pk),
                                       acting_user=self.person("admin"), time_zone="America/Los_Angeles")

    def test_it_shows_and_reads_dates_in_the_institutions_zone(self):
        path = f"/teach/courses/{self.course.pk}/assignments/new/"
        self.assertContains(self.tara.get(path), "Dates and times are in the America/Los_Angeles time zone.")
        due = (timezone.now() + timedelta(days=20)).astimezone(ZoneInfo("America/Los_Angeles"))
        local = due.replace(hour=17, minute=0, second=0, microsecond=0, tzinfo=None)
        self.tara.post(path, {"title": "Zoned", "prompt": "p", "due_at": local.strftime("%Y-%m-%dT%H:%M"),
                              "late_policy": "accept", "max_points": "10", "publish": "now",
                              "stage_final": "on"})
        saved = Assignment.objects.get(title="Zoned").due_at
        self.assertEqual(saved, datetime.combine(local.date(), local.time(), ZoneInfo("America/Los_Angeles")))

    def test_riverside_keeps_its_own_zone(self):
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        response = rita.get(f"/teach/courses/{self.riverside_course.pk}/assignments/new/")
        self.assertContains(response, "Dates and times are in the UTC time zone.")

    def test_it_refuses_a_zone_that_does_not_exist(self):
        self.northside.time_zone = "Mars/Olympus_Mons"
        with self.assertRaises(ValidationError):
            self.northside.full_clean()
