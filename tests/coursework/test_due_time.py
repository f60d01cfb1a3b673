"""The due date tag prints what Django's `date` filter printed, in the institution's zone."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import timezone

FILTERS = Template('<time datetime="{{ due|date:\'c\' }}">{{ due|date:"D j M Y, H:i" }}</time>')
TAG = Template("{% load coursework_tags %}{% due_time due %}")


class DueTimeTests(SimpleTestCase):
    def test_it_matches_the_date_filters_in_each_zone(self):
        for zone in ("Europe/London", "America/Chicago", "Pacific/Auckland", "UTC"):
            for due in (datetime(2026, 1, 5, 8, 3, tzinfo=UTC), datetime(2026, 7, 31, 23, 59, tzinfo=UTC),
                        datetime(2026, 3, 29, 0, 30, tzinfo=UTC)):
                with self.subTest(zone=zone, due=due), timezone.override(zone):
                    self.assertEqual(TAG.render(Context({"due": due})), FILTERS.render(Context({"due": due})))

    def test_it_reads_like_a_date(self):
        with timezone.override("Europe/London"):
            self.assertEqual(TAG.render(Context({"due": datetime(2026, 7, 31, 23, 59, tzinfo=UTC)})),
                             '<time datetime="2026-08-01T00:59:00+01:00">Sat 1 Aug 2026, 00:59</time>')
