from decimal import Decimal

from coursework.actions import do_create_rubric
from coursework.models import Rubric
from tests.coursework.teacher.base import TeacherTestCase


class RubricTests(TeacherTestCase):
    def test_it_creates_a_rubric_from_one_line_per_criterion(self):
        response = self.tara.post("/teach/rubrics/new/", {
            "title": "Narrative", "description": "For stories.",
            "criteria": "Voice | Flat:1, Distinct:2.5, Vivid:4\n\nStructure | Loose:0, Tight:3\n"})
        rubric = Rubric.objects.get(title="Narrative")
        self.assertRedirects(response, f"/teach/rubrics/{rubric.pk}/")
        criteria = [(c.title, [(lv.title, lv.points) for lv in c.levels.all()]) for c in rubric.criteria.all()]
        self.assertEqual(criteria, [
            ("Voice", [("Flat", Decimal("1")), ("Distinct", Decimal("2.5")), ("Vivid", Decimal("4"))]),
            ("Structure", [("Loose", Decimal("0")), ("Tight", Decimal("3"))]),
        ])
        self.assertEqual(rubric.created_by, self.person("teacher"))
        detail = self.tara.get(f"/teach/rubrics/{rubric.pk}/")
        self.assertContains(detail, "Distinct (2.50)")

    def test_it_says_which_lines_are_wrong_and_keeps_the_text(self):
        text = "Voice Flat:1\nStructure | Loose:zero, Tight:3\nClarity |"
        response = self.tara.post("/teach/rubrics/new/", {"title": "Broken", "criteria": text})
        self.assertContains(response, "Line 1: write the criterion, a “|”, then its levels")
        self.assertContains(response, "Line 2: “Loose:zero” should be a level name, a colon and points")
        self.assertContains(response, "Line 3: “Clarity” needs at least one level.")
        self.assertContains(response, "Structure | Loose:zero, Tight:3")
        self.assertFalse(Rubric.objects.filter(title="Broken").exists())

    def test_it_lists_every_rubric_of_the_institution(self):
        do_create_rubric("Hugo's source analysis", [{"title": "Sources", "levels": [{"title": "Some", "points": 1}]}],
                         acting_user=self.person("other_teacher"))
        response = self.tara.get("/teach/rubrics/")
        self.assertContains(response, "Argument essay")
        self.assertContains(response, "Hugo&#x27;s source analysis")
        self.assertContains(response, "<td>1 assignment</td>", html=True)

    def test_it_needs_a_title_and_criteria(self):
        response = self.tara.post("/teach/rubrics/new/", {"title": "", "criteria": ""})
        self.assertContains(response, 'id="id_title_error"')
        self.assertContains(response, 'id="id_criteria_error"')
