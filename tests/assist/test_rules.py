"""The assistant's rules on their own: the reflection gate, redaction, the output boundary, local feedback."""

from types import SimpleNamespace

from django.test import SimpleTestCase

from assist import boundary, gate, local
from assist.redaction import Redactor
from tests.assist.base import ESSAY, REFLECTION


class ReflectionGateTests(SimpleTestCase):
    def test_a_thoughtful_reflection_unlocks_help(self):
        self.assertEqual(gate.check_reflection(REFLECTION, essay=ESSAY, prompt="Should school start later?"), [])

    def test_empty_short_repetitive_or_copied_reflections_earn_nothing(self):
        self.assertIn("It has 0 words; at least 30 are needed.", gate.check_reflection(""))
        self.assertIn("It has 4 words; at least 30 are needed.", gate.check_reflection("I need help now."))
        self.assertIn("It repeats the same few words.", gate.check_reflection("I want help. " * 15))
        copied = gate.check_reflection("I copy. " + ESSAY.split("\n\n")[1], essay=ESSAY)
        self.assertIn("It is copied from your essay or the assignment; write it fresh.", copied)
        impersonal = gate.check_reflection("The essay argues that schools should start later. " * 2
                                           + "It uses research about sleep and attendance and grades and buses.")
        self.assertIn("Say what *you* are trying to do (write with I or my).", impersonal)


class RedactionTests(SimpleTestCase):
    def people(self):
        return [SimpleNamespace(pk=1, full_name="Sam Student", preferred_name="", email="sam@northside.example",
                                student_number="S-20931"),
                SimpleNamespace(pk=2, full_name="Cleo Classmate", preferred_name="Cleo", email="cleo@northside.example",
                                student_number="")]

    def test_names_emails_ids_and_listed_terms_are_replaced_and_restored(self):
        redactor = Redactor.for_people(self.people(), ["Northside High"])
        text = ("Sam Student (S-20931, sam@northside.example) and Cleo at Northside High. Call 5551234567 "
                "or mail x@y.org.")
        redacted, counts = redactor.redact(text)
        for original in ("Sam", "Student", "S-20931", "sam@northside", "Cleo", "Northside High", "5551234567", "x@y"):
            self.assertNotIn(original, redacted)
        self.assertEqual(redacted, "[PERSON_1] ([ID_1], [EMAIL_1]) and [PERSON_2] at [TERM_1]. Call [NUMBER] "
                                   "or mail [EMAIL].")
        self.assertEqual(counts["person"], 2)
        answer = "Ask [PERSON_2] whether [PERSON_1]'s point holds at [TERM_1]."
        self.assertEqual(redactor.restore(answer),
                         "Ask Cleo Classmate whether Sam Student's point holds at Northside High.")


class BoundaryTests(SimpleTestCase):
    def test_questions_and_short_pointers_pass(self):
        allowed, decisions = boundary.check("Your second paragraph opens with “When the first class begins”. What does "
                                            "it prove? Where is your evidence for attendance?", ESSAY)
        self.assertTrue(allowed)
        self.assertEqual({d["result"] for d in decisions}, {"passed"})

    def test_a_rewritten_paragraph_is_refused(self):
        paragraph = ESSAY.split("\n\n")[1]
        rewrite = paragraph.replace("many students are still half asleep", "lots of pupils are still sleepy")
        allowed, decisions = boundary.check(f"Try this instead:\n\n{rewrite}", ESSAY)
        self.assertFalse(allowed)
        self.assertEqual(decisions[0]["result"], "refused")

    def test_a_reworded_paragraph_and_an_announced_rewrite_are_refused(self):
        reworded = ("When the first class starts at half past seven, lots of students are still half asleep and "
                    "recall little of what they hear. Attendance in first period is lower too, and grades in "
                    "the morning classes suffer.")
        allowed, decisions = boundary.check(reworded, ESSAY)
        self.assertFalse(allowed)
        self.assertEqual(decisions[1]["result"], "refused")
        self.assertFalse(boundary.check("Here is a revised version of your intro: schools rock.", ESSAY)[0])


class LocalFeedbackTests(SimpleTestCase):
    def test_each_category_describes_and_asks_without_writing(self):
        for category in ("brainstorm", "outline", "clarity", "grammar"):
            with self.subTest(category):
                answer = "\n".join(local.feedback(category, ESSAY, "draft", "Should school start later?"))
                self.assertTrue(answer)
                self.assertTrue(boundary.check(answer, ESSAY)[0])
        clarity = "\n".join(local.feedback("clarity", ESSAY, "draft"))
        self.assertIn("3 paragraphs", clarity)
        self.assertIn("Readability (Flesch reading ease)", clarity)
        outline = "\n".join(local.feedback("outline", ESSAY, "outline"))
        self.assertIn("Thesis check: your first paragraph contains a sentence that takes a position", outline)
        grammar = "\n".join(local.feedback("grammar", "the the dog ran. i think its fine", "draft"))
        self.assertIn("starts with a lower-case letter", grammar)
        self.assertIn("has a word twice in a row", grammar)
        self.assertIn("“i”", grammar)
