"""The reflection gate: help at a stage only after the student says what they are trying to do.

The rule is shown on the page word for word (RULES), and every refusal names the rule it failed,
so a student can see why. Deliberately simple and explainable, not a quality judgement.
"""

import re

from integrity.similarity import Tokens

MIN_WORDS = 30
MIN_SENTENCES = 2
MIN_VARIETY = 0.5  # distinct words / words
MAX_COPIED = 0.5  # share of the reflection's 5-word shingles found in the essay or the prompt
FIRST_PERSON = re.compile(r"\b(i|i'm|i’m|my|me|i've|i’ve)\b", re.I)

RULES = [
    f"at least {MIN_WORDS} words, in at least {MIN_SENTENCES} sentences;",
    "in your own words, about you: what you are trying to do at this stage and where you are stuck (use I, my);",
    "varied: not the same few words repeated;",
    "not copied from your essay or from the assignment.",
]


def check_reflection(reflection, *, essay="", prompt=""):
    """[] when the reflection unlocks help, else the rules it does not meet (plain sentences)."""
    text = (reflection or "").strip()
    tokens = Tokens.of(text)
    reasons = []
    if len(tokens.words) < MIN_WORDS:
        reasons.append(f"It has {len(tokens.words)} words; at least {MIN_WORDS} are needed.")
    sentences = [s for s in re.split(r"[.!?]+", text) if len(s.split()) >= 3]
    if len(sentences) < MIN_SENTENCES:
        reasons.append(f"It needs at least {MIN_SENTENCES} sentences.")
    if not FIRST_PERSON.search(text):
        reasons.append("Say what *you* are trying to do (write with I or my).")
    if tokens.words and len(set(tokens.words)) / len(tokens.words) < MIN_VARIETY:
        reasons.append("It repeats the same few words.")
    shingles = set(tokens.shingles())
    if shingles and len(tokens.words) >= 5:
        elsewhere = set(Tokens.of(essay).shingles()) | set(Tokens.of(prompt).shingles())
        if len(shingles & elsewhere) / len(shingles) > MAX_COPIED:
            reasons.append("It is copied from your essay or the assignment; write it fresh.")
    return reasons
