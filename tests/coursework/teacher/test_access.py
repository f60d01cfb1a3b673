"""Every teacher page: students are refused (403), and a teacher gets 404 for a course, assignment or
submission she does not teach — another teacher's at Northside or any of Riverside's ids."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from coursework.actions import do_create_assignment, do_save_draft, do_submit_stage, get_or_start_submission
from coursework.models import Assignment, Course, Submission
from tests.coursework.teacher.base import TeacherTestCase

COURSE_PAGES = ["/teach/courses/{}/", "/teach/courses/{}/students/", "/teach/courses/{}/gradebook/",
                "/teach/courses/{}/gradebook.csv", "/teach/courses/{}/assignments/new/", "/teach/courses/{}/archive/",
                "/teach/courses/{}/edit/"]
COURSE_POSTS = ["/teach/courses/{}/students/enrol/", "/teach/courses/{}/students/import/",
                "/teach/courses/{}/archive/", "/teach/courses/{}/assignments/new/", "/teach/courses/{}/edit/"]
ASSIGNMENT_PAGES = ["/teach/assignments/{}/", "/teach/assignments/{}/edit/"]
ASSIGNMENT_POSTS = ["/teach/assignments/{}/publish/", "/teach/assignments/{}/edit/"]
SUBMISSION_PAGES = ["/teach/submissions/{}/"]
SUBMISSION_POSTS = ["/teach/submissions/{}/comments/", "/teach/submissions/{}/rubric/", "/teach/submissions/{}/grade/",
                    "/teach/submissions/{}/release/"]


def written_work(course, student, teacher, title):
    assignment = do_create_assignment(course, title=title, prompt="x", due_at=timezone.now() + timedelta(days=3),
                                      acting_user=teacher)
    submission = get_or_start_submission(assignment, student)
    submission, _ = do_save_draft(submission, f"{title} text", base_revision=0, acting_user=student)
    return assignment, do_submit_stage(submission, acting_user=student)


class TeacherAccessTests(TeacherTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.history_assignment, cls.ottos_work = written_work(
            cls.other_course, cls.people["outsider"], cls.people["other_teacher"], "Hugo's source essay")
        with tenant_context(cls.riverside):
            cls.riverside_assignment, cls.rorys_work = written_work(
                cls.riverside_course, cls.people["riverside_student"], cls.people["riverside_teacher"],
                "Riverside's essay")

    def ids(self, course, assignment, submission):
        def fill(paths, pk):
            return [p.format(pk) for p in paths]

        return (fill(COURSE_PAGES, course.pk), fill(COURSE_POSTS, course.pk),
                fill(ASSIGNMENT_PAGES, assignment.pk) + fill(SUBMISSION_PAGES, submission.pk),
                fill(ASSIGNMENT_POSTS, assignment.pk) + fill(SUBMISSION_POSTS, submission.pk))

    def test_it_hides_another_teachers_course_from_tara(self):
        course_gets, course_posts, gets, posts = self.ids(self.other_course, self.history_assignment, self.ottos_work)
        for path in course_gets + gets:
            with self.subTest(path):
                self.assertEqual(self.tara.get(path).status_code, 404)
        for path in course_posts + posts:
            with self.subTest(path):
                self.assertEqual(self.tara.post(path, {"grade": "1", "body": "x", "quote": "text"}).status_code, 404)
        self.ottos_work.refresh_from_db()
        self.assertIsNone(self.ottos_work.grade)
        self.assertIsNone(self.ottos_work.feedback_released_at)
        self.assertFalse(self.ottos_work.comments.exists())
        self.other_course.refresh_from_db()
        self.assertFalse(self.other_course.is_archived)

    def test_it_does_not_let_tara_unenrol_from_another_teachers_course(self):
        path = f"/teach/courses/{self.other_course.pk}/students/{self.person('outsider').pk}/unenrol/"
        self.assertEqual(self.tara.post(path).status_code, 404)
        self.assertTrue(self.other_course.enrolments.exists())

    def test_it_never_shows_riverside_work_at_northside(self):
        tara = self.person("teacher")
        # Ids are per schema: a Riverside id may also name one of Tara's own Northside rows.
        taras = {
            "course": set(Course.objects.filter(teachers=tara).values_list("pk", flat=True)),
            "assignment": set(Assignment.objects.filter(course__teachers=tara).values_list("pk", flat=True)),
            "submission": set(Submission.objects.filter(assignment__course__teachers=tara)
                              .values_list("pk", flat=True)),
        }
        cases = ([("course", p.format(self.riverside_course.pk), self.riverside_course.pk) for p in COURSE_PAGES]
                 + [("assignment", p.format(self.riverside_assignment.pk), self.riverside_assignment.pk)
                    for p in ASSIGNMENT_PAGES]
                 + [("submission", p.format(self.rorys_work.pk), self.rorys_work.pk) for p in SUBMISSION_PAGES])
        for kind, path, pk in cases:
            with self.subTest(path):
                response = self.tara.get(path)
                self.assertNotContains(response, "Riverside", status_code=response.status_code)
                if pk not in taras[kind]:
                    self.assertEqual(response.status_code, 404)

    def test_it_gives_riverside_ids_a_404_when_no_northside_row_has_them(self):
        missing = 10_000_000
        for path in [p.format(missing) for p in COURSE_PAGES + ASSIGNMENT_PAGES + SUBMISSION_PAGES]:
            with self.subTest(path):
                self.assertEqual(self.tara.get(path).status_code, 404)

    def test_it_does_not_carry_taras_session_to_riverside(self):
        client = self.client_for(self.riverside)
        client.cookies = self.tara.cookies
        response = client.get(f"/teach/courses/{self.riverside_course.pk}/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_it_keeps_rita_to_her_own_course_at_riverside(self):
        rita = self.signed_in_client("riverside_teacher", institution=self.riverside)
        self.assertContains(rita.get(f"/teach/courses/{self.riverside_course.pk}/"), "Riverside English")
        with tenant_context(self.riverside):
            ritas = set(Course.objects.values_list("pk", flat=True))
        if self.course.pk not in ritas:
            self.assertEqual(rita.get(f"/teach/courses/{self.course.pk}/").status_code, 404)

    def test_it_refuses_students_every_teacher_page(self):
        sam = self.signed_in_client("student")
        course_gets, course_posts, gets, posts = self.ids(self.course, self.essay, self.ottos_work)
        for path in ["/teacher/", "/teach/rubrics/", "/teach/rubrics/new/", "/teach/courses/new/",
                     *course_gets, *gets]:
            with self.subTest(path):
                self.assertEqual(sam.get(path).status_code, 403)
        for path in course_posts + posts:
            with self.subTest(path):
                self.assertEqual(sam.post(path).status_code, 403)

    def test_it_sends_visitors_to_sign_in(self):
        response = self.client.get(f"/teach/courses/{self.course.pk}/gradebook/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
