"""Word-level differences between two revisions, for the history pages (students and teachers)."""

import difflib
import re
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """Pieces that read as the new text with removals and additions marked.

    Works on words and whitespace runs (an essay has a few thousand), so SequenceMatcher stays
    fast; autojunk is off so common words are still matched.
    """
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces
