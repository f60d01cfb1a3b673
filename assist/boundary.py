"""The output boundary: the assistant may describe, question and point, never write the student's text.

An answer is refused (logged, not shown to the student) when it
- repeats a long run of the student's own words (LONG_RUN words or more in a row): a rewrite
  keeps most of the sentence;
- contains a paragraph whose word pairs are mostly the student's (REWRITE_SHARE of its bigrams,
  for a paragraph of PARAGRAPH_WORDS words or more): a reworded version of their paragraph;
- announces a rewrite ("here is a revised version", "rewritten paragraph", …).
Quoting a few words to point at a place is fine, and the local provider never quotes more than six.
"""

import re

from integrity.similarity import Tokens

LONG_RUN = 20
PARAGRAPH_WORDS = 25
REWRITE_SHARE = 0.5
ANNOUNCED = re.compile(r"here(?:'s| is) (?:a |an |your )?(?:revised|rewritten|improved|edited|corrected)|"
                       r"(?:revised|rewritten|improved) (?:version|paragraph|essay|text)|i(?:'ve| have) rewritten",
                       re.I)


def _longest_run(answer_words, text_words):
    """Longest run of consecutive words of the answer that also occur consecutively in the text."""
    if not answer_words or not text_words:
        return 0
    k = 4
    grams = {tuple(text_words[i:i + k]) for i in range(len(text_words) - k + 1)}
    best = run = 0
    for i in range(len(answer_words) - k + 1):
        run = run + 1 if tuple(answer_words[i:i + k]) in grams else 0
        best = max(best, run + k - 1 if run else 0)
    return best


def check(answer, student_text):
    """(allowed, decisions): decisions name every check and its result, for the log."""
    text_words = list(Tokens.of(student_text).words)
    decisions = []
    run = _longest_run(list(Tokens.of(answer).words), text_words)
    decisions.append({"check": "long run of the student's words", "result": "refused" if run >= LONG_RUN else "passed",
                      "detail": f"longest run {run} words (limit {LONG_RUN - 1})"})
    pairs = {(a, b) for a, b in zip(text_words, text_words[1:], strict=False)}
    worst = 0.0
    for paragraph in re.split(r"\n\s*\n", answer):
        words = list(Tokens.of(paragraph).words)
        if len(words) >= PARAGRAPH_WORDS:
            own = list(zip(words, words[1:], strict=False))
            worst = max(worst, sum(1 for p in own if p in pairs) / len(own))
    decisions.append({"check": "reworded paragraph", "result": "refused" if worst >= REWRITE_SHARE else "passed",
                      "detail": f"highest share of the student's word pairs in a paragraph {worst:.0%}"})
    announced = bool(ANNOUNCED.search(answer))
    decisions.append({"check": "announces a rewrite", "result": "refused" if announced else "passed", "detail": ""})
    return all(d["result"] == "passed" for d in decisions), decisions
