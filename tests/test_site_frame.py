"""The site frame's remembered URLs: header links and static files resolve as `{% url %}` and
`{% static %}` do, on the institution site and the platform site alike."""

import json
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse, set_urlconf

from scribetree.staticfiles import StaticFilesStorage

NAV = Template("{% load site_tags %}{% nav_url 'home' %}|{% nav_url 'account_logout' %}")


class NavUrlTests(SimpleTestCase):
    def render_on(self, urlconf):
        set_urlconf(urlconf)
        self.addCleanup(set_urlconf, None)
        expected = f"{reverse('home')}|{reverse('account_logout')}"
        return NAV.render(Context()), expected

    def test_it_gives_each_sites_own_links_every_time(self):
        for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF, settings.ROOT_URLCONF):
            with self.subTest(urlconf=urlconf):
                for _ in range(2):
                    rendered, expected = self.render_on(urlconf)
                    self.assertEqual(rendered, expected)


LINKS = Template("{% load site_tags %}{% nav_url 'teacher_course' pk %}|{% nav_url 'student_autosave' pk %}|"
                 "{% nav_url 'teacher_review' pk %}")


class NavUrlWithIdsTests(SimpleTestCase):
    def test_links_with_ids_are_what_url_gives_for_every_id(self):
        for pk in (1, 42, 7919000001, 10**12):
            with self.subTest(pk=pk):
                self.assertEqual(LINKS.render(Context({"pk": pk})), "|".join(
                    reverse(name, args=[pk]) for name in ("teacher_course", "student_autosave", "teacher_review")))

    def test_an_argument_that_is_not_a_whole_number_is_reversed_as_url_would(self):
        self.assertEqual(Template("{% load site_tags %}{% nav_url 'teacher_course' pk %}").render(Context({"pk": "7"})),
                         reverse("teacher_course", args=["7"]))

    def test_a_wrong_number_of_ids_fails_as_url_would(self):
        from django.urls import NoReverseMatch

        with self.assertRaises(NoReverseMatch):
            Template("{% load site_tags %}{% nav_url 'teacher_course' 1 2 %}").render(Context())


class RememberedStaticUrlTests(SimpleTestCase):
    def test_it_works_each_url_out_once_from_the_manifest(self):
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "staticfiles.json").write_text(json.dumps(
                {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1", "hash": "x"}))
            storage = StaticFilesStorage(location=folder, base_url="/static/")
            with mock.patch("whitenoise.storage.CompressedManifestStaticFilesStorage.url",
                            autospec=True, side_effect=lambda self, name, force=False: f"/static/{name}!") as url:
                self.assertEqual(storage.url("css/site.css"), "/static/css/site.css!")
                self.assertEqual(storage.url("css/site.css"), "/static/css/site.css!")
            self.assertEqual(url.call_count, 1)
            self.assertEqual(storage.url("css/site.css"), "/static/css/site.css!")  # remembered
            self.assertEqual(StaticFilesStorage(location=folder, base_url="/static/").url("css/site.css"),
                             "/static/css/site.0123abcd.css")
