"""Where a teacher's comment stands in a later (or the same) revision of the text.

Shared by the teacher's review page and the student's feedback page. Each revision row is a
splice of the one before; its stored lengths are all `revisions.map_anchor` needs, so no text is
rebuilt. A keyframe row holds a whole text rather than a splice: across one, the passage is found
again by its quote (the occurrence nearest its old place).
"""

from coursework.models import Revision
from coursework.revisions import locate_anchor


def splices_between(submission, first, last):
    """{n: (old_length, prefix, suffix, inserted_length) or None for a keyframe}, first < n <= last."""
    rows = (Revision.objects.filter(submission=submission, number__gte=first, number__lte=last)
            .order_by("number").values_list("number", "keyframe", "prefix", "suffix", "length"))
    splices, previous_length = {}, None
    for number, keyframe, prefix, suffix, length in rows:
        if number > first:
            splices[number] = None if keyframe or previous_length is None else (
                previous_length, prefix, suffix, length - prefix - suffix)
        previous_length = length
    return splices


def locate_comment(text, comment, revision_number, splices, upto):
    """(start, end) of the comment's passage in `text` (revision `upto`), or None when it is gone."""
    chain = [splices.get(n) for n in range(revision_number + 1, upto + 1)]
    if any(step is None for step in chain):
        chain = []  # a keyframe (or a missing row) in between: locate by quote near the old place
    return locate_anchor(text, comment.anchor_start, comment.anchor_end, comment.quote, chain)
