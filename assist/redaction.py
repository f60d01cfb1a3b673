"""Redact identifiers before text leaves Scribe Tree, and restore them in the answer.

Placeholders are numbered from the list of people and terms (not from the order they appear in
the text), so the same Redactor can be rebuilt later, e.g. inside the Celery task, to restore an
answer without storing the mapping anywhere. Who is redacted: the student, the course's students
and teachers (full names, each name part of 3+ letters, e-mails, student numbers) and the
institution's listed identifiers. Any other e-mail address or long number is replaced too
([EMAIL], [NUMBER]) and not restored: feedback does not need it.
Longest names first, so "Sam Student" is one placeholder rather than two.
"""

import re
from dataclasses import dataclass, field

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NUMBER_RE = re.compile(r"\b\d{5,}\b")


@dataclass
class Redactor:
    replacements: list = field(default_factory=list)  # (original, placeholder), longest first

    @classmethod
    def for_people(cls, people, terms=()):
        pairs = []
        for index, person in enumerate(sorted(people, key=lambda p: p.pk), 1):
            names = {person.full_name.strip(), (getattr(person, "preferred_name", "") or "").strip()}
            names |= {part for name in list(names) for part in name.split() if len(part) >= 3}
            pairs += [(name, f"[PERSON_{index}]") for name in names if name]
            pairs.append((person.email, f"[EMAIL_{index}]"))
            if getattr(person, "student_number", ""):
                pairs.append((person.student_number, f"[ID_{index}]"))
        for index, term in enumerate(sorted({t.strip() for t in terms if t.strip()}), 1):
            pairs.append((term, f"[TERM_{index}]"))
        # One placeholder per distinct original (two people called "Sam" share the first).
        seen, unique = set(), []
        for original, placeholder in sorted(pairs, key=lambda p: -len(p[0])):
            if original.lower() not in seen:
                seen.add(original.lower())
                unique.append((original, placeholder))
        return cls(unique)

    def redact(self, text):
        """(redacted text, counts by kind) — the counts go into the exchange's decisions."""
        counts = {}
        for original, placeholder in self.replacements:
            pattern = re.compile(rf"(?<!\w){re.escape(original)}(?!\w)", re.I)
            text, n = pattern.subn(placeholder, text)
            if n:
                kind = placeholder.strip("[]").split("_")[0].lower()
                counts[kind] = counts.get(kind, 0) + n
        text, n = EMAIL_RE.subn("[EMAIL]", text)
        if n:
            counts["other email"] = n
        text, n = NUMBER_RE.subn("[NUMBER]", text)
        if n:
            counts["number"] = n
        return text, counts

    def restore(self, text):
        # The first original recorded for a placeholder is its full form (longest first).
        back = {}
        for original, placeholder in self.replacements:
            back.setdefault(placeholder, original)
        return re.sub(r"\[(?:PERSON|EMAIL|ID|TERM)_\d+\]", lambda m: back.get(m.group(), m.group()), text)
