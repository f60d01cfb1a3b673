"""Demo writing assistant for `seed_demo`, on the homework essay being drafted now:

- teacher1 switches the assistant on: brainstorming questions, outline and clarity feedback at the
  draft stage, grammar hints at the final stage (the institution allows all four);
- student04 has consented to AI assistance and has not written a reflection yet: sign in as them
  to unlock help with a reflection and ask for local feedback (the rule is on the page);
- student06 has consented, unlocked the draft stage and asked for clarity feedback: the exchange
  is in their log and on teacher1's review page.
"""

from assist.actions import do_request_help, do_set_stage_assist, do_write_reflection
from coursework.actions import get_or_start_submission
from privacy.actions import do_answer_consent
from privacy.models import Purpose

TITLE = "Argumentative essay: should homework be graded?"
REFLECTION = ("I am trying to argue that homework should count, but only a little, because practice matters. "
              "I am stuck on my second paragraph: I have one article's evidence and I am not sure it is enough. "
              "My conclusion also repeats the introduction.")


def ensure_demo_assist(course, teacher, students):
    assignment = course.assignments.get(title=TITLE)
    draft, final = list(assignment.stages.all())[:2]
    do_set_stage_assist(draft, ["brainstorm", "outline", "clarity"], acting_user=teacher)
    do_set_stage_assist(final, ["clarity", "grammar"], acting_user=teacher)
    by_number = {int(s.email.split("@")[0].removeprefix("student")): s for s in students}
    for number in (4, 6):
        do_answer_consent(by_number[number], Purpose.AI_ASSISTANCE, "accepted", acting_user=by_number[number])
    student = by_number[6]
    work = get_or_start_submission(assignment, student)
    if work.text.strip():
        unlock = do_write_reflection(work, REFLECTION, acting_user=student)
        if unlock.accepted:
            do_request_help(work, "clarity", acting_user=student)
