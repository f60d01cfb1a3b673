"""Similarity within the institution: signatures, LSH candidates, matched passages side by side."""

from django.test import SimpleTestCase
from django_tenants.utils import tenant_context

from coursework.actions import do_save_draft, do_submit_stage, get_or_start_submission
from integrity import similarity
from integrity.models import Observation, Signature, SimilarityMatch
from tests.integrity.base import ESSAY, IntegrityTestCase, words

COPIED = ("I think this is an important question for every school. " + ESSAY.split("\n\n", 1)[1])


class ShinglingTests(SimpleTestCase):
    def test_a_signature_is_512_bytes_and_its_band_keys_are_deterministic(self):
        values, count = similarity.signature(ESSAY)
        self.assertEqual(len(similarity.to_bytes(values)), 512)
        self.assertGreater(count, 100)
        self.assertEqual(similarity.band_keys(values), similarity.band_keys(similarity.signature(ESSAY)[0]))
        self.assertEqual(len(similarity.band_keys(values)), similarity.BANDS)

    def test_it_finds_the_copied_passage_with_its_offsets_in_both_texts(self):
        found, covered = similarity.passages(COPIED, ESSAY)
        self.assertEqual(len(found), 1)
        a_start, a_end, b_start, b_end, n = found[0]
        self.assertEqual(COPIED[a_start:a_end], ESSAY[b_start:b_end].replace("\n\n", "\n\n"))
        self.assertTrue(ESSAY[b_start:].startswith("When the first class begins"))
        self.assertEqual(n, covered)

    def test_unrelated_texts_share_no_passage_and_few_values(self):
        a, _ = similarity.signature(words(300, seed=1) + " " + ESSAY[:50])
        b, _ = similarity.signature("Rivers carry water to the sea and shape valleys over millions of years. " * 3)
        self.assertLess(similarity.estimated_jaccard(a, b), 0.1)
        self.assertEqual(similarity.passages(ESSAY, "Rivers carry water to the sea.")[0], [])


class SimilarityCheckTests(IntegrityTestCase):
    def setUp(self):
        super().setUp()
        self.sam_work = self.submit_and_check(self.typed(self.person("student"), ESSAY))
        self.cleo_work = self.submit_and_check(self.typed(self.person("classmate"), COPIED))

    def test_a_copied_submission_is_matched_both_ways_with_an_observation(self):
        match = SimilarityMatch.objects.get(submission=self.cleo_work)
        self.assertEqual(match.other_id, self.sam_work.pk)
        self.assertGreater(match.share, 0.8)
        self.assertTrue(SimilarityMatch.objects.filter(submission=self.sam_work, other=self.cleo_work).exists())
        observation = Observation.objects.get(submission=self.cleo_work, kind="similarity")
        self.assertTrue(observation.notable)
        self.assertEqual(observation.evidence, [{"label": "Matched passages side by side", "match": match.pk}])
        self.assertTrue(Observation.objects.filter(submission=self.sam_work, kind="similarity").exists())
        self.assertEqual(Signature.objects.count(), 2)

    def test_the_teacher_sees_the_passages_side_by_side(self):
        match = SimilarityMatch.objects.get(submission=self.cleo_work)
        review = self.tara.get(f"/teach/submissions/{self.cleo_work.pk}/")
        self.assertContains(review, "shared with Sam Student")
        response = self.tara.get(f"/teach/submissions/{self.cleo_work.pk}/similarity/{match.pk}/")
        self.assertContains(response, "<mark>When the first class begins", count=2)
        self.assertContains(response, "Sam Student, “Persuasive essay”")

    def test_a_teacher_of_another_course_sees_neither_the_name_nor_more_than_the_passages(self):
        # Otto (History 9) submits a copy of Sam's essay: Hugo sees the match but not Sam's name.
        hugo = self.person("other_teacher")
        history = self.new_assignment("Sources", course=self.other_course)
        otto = self.person("outsider")
        work = self.submit_and_check(self.typed(otto, COPIED, assignment=history))
        match = SimilarityMatch.objects.get(submission=work, other=self.sam_work)
        client = self.signed_in_client("other_teacher")
        response = client.get(f"/teach/submissions/{work.pk}/similarity/{match.pk}/")
        self.assertContains(response, "a submission in another course")
        self.assertNotContains(response, "Sam Student")
        self.assertNotContains(response, ESSAY[:40])  # the first paragraph was not copied: not shown
        self.assertIsNotNone(hugo)

    def test_the_match_page_is_out_of_reach_of_everyone_else(self):
        match = SimilarityMatch.objects.get(submission=self.cleo_work)
        path = f"/teach/submissions/{self.cleo_work.pk}/similarity/{match.pk}/"
        self.assertEqual(self.signed_in_client("other_teacher").get(path).status_code, 404)
        self.assertEqual(self.signed_in_client("classmate").get(path).status_code, 403)  # not a teacher
        rita = self.signed_in_client("riverside_teacher", self.riverside)
        self.assertEqual(rita.get(path).status_code, 404)
        # A match id of another submission under this submission's URL
        other = SimilarityMatch.objects.get(submission=self.sam_work)
        self.assertEqual(self.tara.get(f"/teach/submissions/{self.cleo_work.pk}/similarity/{other.pk}/").status_code,
                         404)

    def test_the_student_is_told_of_the_match_without_the_other_work(self):
        response = self.signed_in_client("classmate").get(f"/write/{self.cleo_work.pk}/process/")
        self.assertContains(response, "also found in another submission in the institution")
        self.assertNotContains(response, "Sam Student")
        self.assertNotContains(response, "/similarity/")

    def test_riverside_work_is_never_compared_with_northside_work(self):
        with tenant_context(self.riverside):
            rory = self.person("riverside_student")
            from datetime import timedelta

            from django.utils import timezone

            from coursework.actions import do_create_assignment, do_publish_assignment

            rita = self.person("riverside_teacher")
            assignment = do_publish_assignment(do_create_assignment(
                self.riverside_course, title="River", prompt="?", due_at=timezone.now() + timedelta(days=3),
                acting_user=rita), acting_user=rita)
            work = get_or_start_submission(assignment, rory)
            work, _ = do_save_draft(work, ESSAY, base_revision=0, acting_user=rory)
            with self.captureOnCommitCallbacks(execute=True):
                do_submit_stage(work, acting_user=rory)
            self.assertEqual(SimilarityMatch.objects.count(), 0)
            self.assertEqual(Signature.objects.count(), 1)
        self.assertEqual(SimilarityMatch.objects.filter(submission=self.sam_work).count(), 1)  # Cleo's only

    def test_the_review_page_query_count_does_not_grow_with_matches_or_observations(self):
        # 1 session, 2 the teacher, 3 the submission (access check), 4 comments, 5 stage submissions,
        # 6 the history, 7-8 the rubric's criteria and levels, 9 its scores, 10 the access-log row,
        # 11 similarity matches with the other submissions, 12 the teacher's courses among theirs,
        # 13 observations, 14 the assistant's log
        queries, _, sql = self.count_queries(self.tara, f"/teach/submissions/{self.cleo_work.pk}/")
        self.assertEqual(queries, 14, sql)
        for n in range(3):
            self.submit_and_check(self.typed(self.new_student(n), COPIED + f" Signed {n}."))
        more, _, sql = self.count_queries(self.tara, f"/teach/submissions/{self.cleo_work.pk}/")
        self.assertEqual(more, queries, sql)


class MatchPageQueryTests(IntegrityTestCase):
    def test_the_match_page_costs_five_queries(self):
        # 1 session, 2 the teacher, 3 the submission (access check), 4 the match with the other
        # submission, its student and course, 5 whether the teacher teaches that course
        self.submit_and_check(self.typed(self.person("student"), ESSAY))
        cleo_work = self.submit_and_check(self.typed(self.person("classmate"), COPIED))
        match = SimilarityMatch.objects.get(submission=cleo_work)
        path = f"/teach/submissions/{cleo_work.pk}/similarity/{match.pk}/"
        queries, _, sql = self.count_queries(self.tara, path)
        self.assertEqual(queries, 5, sql)
