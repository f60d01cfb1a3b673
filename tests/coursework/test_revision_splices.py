"""A revision stores the smallest splice of the text before it: the longest common prefix and suffix."""

import random

from django.test import SimpleTestCase

from coursework.revisions import apply_splice, splice


def character_by_character(old, new):
    """The obvious definition, one character at a time (what `splice` must agree with)."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix, new[prefix:len(new) - suffix]


class SpliceTests(SimpleTestCase):
    def test_a_word_added_at_the_end_stores_only_that_word(self):
        essay = "Schools should start later. " * 500
        self.assertEqual(splice(essay, essay + "Sleep matters."), (len(essay), 0, "Sleep matters."))

    def test_an_edit_in_the_middle_keeps_both_sides(self):
        self.assertEqual(splice("The cat sat.", "The dog sat."), (4, 5, "dog"))

    def test_it_agrees_with_the_character_by_character_definition_on_random_edits(self):
        rng = random.Random(7)
        for _ in range(3000):
            old = "".join(rng.choice("ab é") for _ in range(rng.randint(0, 40)))
            new = list(old)
            for _ in range(rng.randint(0, 4)):
                place = rng.randint(0, len(new))
                if rng.random() < 0.5 and new:
                    del new[min(place, len(new) - 1)]
                else:
                    new.insert(place, rng.choice("abc é"))
            new = "".join(new)
            found = splice(old, new)
            self.assertEqual(found, character_by_character(old, new), (old, new))
            self.assertEqual(apply_splice(old, found[0], found[1], found[2]), new)
