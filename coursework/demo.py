"""Demo coursework: one English course per demo institution, with work in every state a new user meets.

`manage.py seed_demo` calls `ensure_demo_coursework` in each demo institution; bench/coursework_load.py
calls it to fill its bench institutions. What it makes, for teacher1 and 30 students:

- "English 10 — Persuasive Writing" (Autumn 2026), sections A and B, everyone enrolled.
- A reusable four-criterion rubric ("Persuasive writing", four levels each).
- Six assignments, one per state:
  1. an op-ed, graded and feedback released (anchored comments, rubric scores, grades);
  2. a speech with peer review on its draft stage: drafts submitted, reviews allocated, some done;
  3. a letter, due two days ago: most submitted, two late, two still drafting; the teacher is
     half-way through reviewing (comments and rubric scores, a few grades, nothing released);
  4. an argumentative essay being drafted now (a few revisions each, some not started, two early drafts);
  5. a published essay due in three weeks that nobody has started;
  6. an unpublished debate brief the teacher is still preparing.

Design notes
- Every change goes through coursework.actions with the teacher or the student as acting_user, so
  revisions, diffs, audit entries and stage submissions are the product's own.
- Time: the work is spread over the last six weeks. `demo_clock(at)` makes the actions' "now"
  be `at` (it swaps the `timezone` module that coursework/actions.py reads for one whose now()
  is fixed), so published, started, submitted, late, released and reviewed times are coherent.
  Only the actions' own calls are affected: auto_now fields and the audit log keep the real time.
  A revision's created_at (a model default, not the action's clock) is set to the same moment
  right after its save. Single-threaded seeding only — never call it while serving requests.
- Deterministic: every choice comes from random.Random(seed); dates are relative to the time of
  seeding. Idempotent: nothing is done when the teacher already has the course. Everything for one
  institution is one transaction, so a failed run leaves nothing half-made.
- Texts: short student essays assembled from a few openings, body paragraphs and closings per
  assignment, grown revision by revision (a typo made early and fixed later, a paragraph inserted
  in the middle), so history and word diffs show real edits.
"""

import random
import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from coursework import actions
from coursework.actions import (
    do_add_comment,
    do_allocate_peer_reviews,
    do_configure_peer_review,
    do_create_assignment,
    do_create_course,
    do_create_rubric,
    do_enrol_student,
    do_grade_submission,
    do_publish_assignment,
    do_rate_peer_review,
    do_release_feedback,
    do_save_draft,
    do_score_rubric,
    do_submit_peer_review,
    do_submit_stage,
    get_or_start_submission,
)
from coursework.models import Course, PeerReviewAllocation, ProcessEvent, Revision, RubricLevel, Stage

COURSE_TITLE = "English 10 — Persuasive Writing"
COURSE_TERM = "Autumn 2026"
COURSE_CODE = "ENG10-PW"
SECTIONS = ("A", "B")
DUE_HOUR = 17  # stages are due at 5 pm

RUBRIC_TITLE = "Persuasive writing"
LEVELS = ("Beginning", "Developing", "Proficient", "Exemplary")
RUBRIC = [
    ("Claim", "States a clear, arguable position and keeps to it.", [
        "The position is missing or changes along the way.",
        "A position is stated but it is vague or only implied.",
        "A clear position, stated early and held throughout.",
        "A precise, arguable position that frames every paragraph.",
    ]),
    ("Evidence and reasoning", "Supports the claim with relevant evidence and explains how it helps.", [
        "Little or no evidence; opinions stand alone.",
        "Some evidence, loosely connected to the claim.",
        "Relevant evidence, explained and linked to the claim.",
        "Well-chosen, cited evidence with reasoning that anticipates objections.",
    ]),
    ("Organisation", "Paragraphs have a clear job and lead into each other.", [
        "Ideas appear in no clear order.",
        "Paragraphs exist but transitions are missing or abrupt.",
        "A logical order with working transitions.",
        "A structure that builds the argument; every transition earns its place.",
    ]),
    ("Style and conventions", "Tone suits the audience; spelling, grammar and punctuation are controlled.", [
        "Errors get in the way of meaning.",
        "Frequent errors or a tone that does not suit the audience.",
        "Few errors; a tone that suits the audience.",
        "Polished, confident prose with a deliberate voice.",
    ]),
]

# --- The students' texts ----------------------------------------------------------------------------
# {school} is the institution's name. Each assignment: asides (a personal sentence ending the
# opening, chosen per student), openings (one per student, cycled), body paragraphs (two per essay,
# in a per-student order), an optional counter-argument paragraph that arrives in a later
# revision, and closings.

TEXTS = {
    "op-ed": {
        "asides": [
            "This year I have fallen asleep in chemistry twice, and I am not proud of it.",
            "My friends joke that first period is just a nap with attendance.",
            "Nobody I know chose to be tired; the schedule chose for us.",
            "I have tried going to bed earlier, and I just lie awake until eleven anyway.",
            "Coffee is not a study plan.",
            "Our first-period teachers deserve better too.",
        ],
        "openings": [
            "Every morning at 6:15 my alarm goes off and I lie there wondering whether first period is worth "
            "it. I am not lazy, and neither are most of my classmates. We are teenagers, and our bodies are "
            "wired to fall asleep late and wake up late. Starting school at 7:45 asks us to learn algebra at "
            "the hour our brains think is the middle of the night.",
            "Walk into any first-period class at {school} and count the heads resting on desks. Teachers "
            "blame phones, parents blame video games, and students blame the clock. I believe the students "
            "are right. Our day starts at 7:45, and that is too early for the people it is supposed to teach.",
            "The American Academy of Pediatrics recommends that high schools start no earlier than 8:30 in "
            "the morning. {school} starts at 7:45. Forty-five minutes might not sound like much, but for a "
            "teenager who cannot fall asleep before eleven, it is the difference between a full night's "
            "sleep and running on empty.",
            "When the district changed the bus routes three years ago, nobody asked students what we thought. "
            "The result is a school day that begins before sunrise for half of the year. It is time to ask a "
            "different question: what would happen if we started at 8:30 instead?",
            "My little brother is in fourth grade and he starts school an hour after I do. He goes to bed at "
            "eight. I have practice, homework and a part-time job, and I rarely sleep before midnight. "
            "Something about this schedule is backwards, and I think the people who made it should hear why.",
            "Ask a room of tenth graders what they would change about {school} and you will hear about the "
            "cafeteria, the wifi and the dress code. Ask them what would make them better students and "
            "almost everyone gives the same answer: more sleep. A later start time is the simplest way to "
            "give it to us.",
        ],
        "bodies": [
            "The science is not really in dispute. During puberty the body releases melatonin later in the "
            "evening, so most teenagers are not tired until around eleven. Doctors say we need eight to ten "
            "hours of sleep, which means a 6:15 alarm leaves us short every single night. That debt adds up "
            "over a week, and by Friday nobody is learning much of anything.",
            "Schools that have tried a later start have the results to show for it. When Seattle moved its "
            "high schools to 8:45, researchers found that students slept about half an hour more and their "
            "biology grades went up. Attendance improved too, especially in first period, which is exactly "
            "the class that suffers most at {school}.",
            "Sleep is also a safety issue. Many juniors and seniors drive themselves to school, and a tired "
            "driver reacts almost as slowly as a drunk one. Several districts that changed their start "
            "times reported fewer crashes involving teen drivers. Even one accident avoided should matter "
            "more than a bus timetable.",
        ],
        "counter": (
            "Some people argue that a later start would push sports and after-school jobs too late into the "
            "evening. That is a fair concern, but practices could move to the morning for some teams, and "
            "a student who is rested will get more out of a shorter afternoon than a tired one gets out of "
            "a long one."
        ),
        "closings": [
            "In conclusion, starting school at 8:30 would make us healthier, safer and better students. The "
            "school board should look at the evidence and give us back the sleep we need.",
            "A later start is not about making school easier. It is about scheduling learning for when we "
            "can actually do it. I urge the board to move the first bell to 8:30 next year.",
        ],
    },
    "speech": {
        "asides": [
            "I counted: I picked up my phone forty-one times yesterday.",
            "I am guilty of this as much as anyone in this room.",
            "My screen-time report is honestly embarrassing.",
            "Think about the last time you read a full page without checking it.",
            "This is not about rules. It is about attention.",
        ],
        "openings": [
            "Raise your hand if you have checked your phone in the last ten minutes. Now keep it up if you "
            "could tell me what you looked at. Most of us cannot, and that is the problem. Today I want to "
            "convince you that phones should stay in our lockers during class.",
            "Good morning, everyone. I know what you are thinking: another lecture about phones. But I am "
            "not a teacher, I am one of you, and I have seen what happens to my own grades when my phone is "
            "on the desk. I am asking for a phone-free classroom, and I am asking you to support it.",
            "Last spring our class spent a week without phones for a science experiment. We expected to be "
            "bored and anxious. Instead, by Wednesday people were talking to each other at lunch again. That "
            "week changed my mind, and I hope this speech changes yours.",
        ],
        "bodies": [
            "Research backs this up. A study at the University of Texas found that simply having a phone "
            "within reach, even face down and switched off, lowered students' scores on memory tests. Our "
            "brains spend effort ignoring it. Imagine what we could do with that effort back.",
            "Phones also change how we treat each other. Group work turns into four people scrolling, and "
            "the quiet students who would have spoken up never get the chance. Without phones, class "
            "becomes a place where we listen to each other instead of to notifications.",
        ],
        "counter": (
            "Some of you will say you need your phone in an emergency. You are right that families need to "
            "reach us, but the front office has always been able to do that, and teachers can keep a phone "
            "for the whole class in case something happens."
        ),
        "closings": [
            "So here is my challenge: try one week with your phone in your locker. If your focus does not "
            "improve, come and tell me I was wrong. I do not think you will.",
            "We are not asking to ban phones from our lives, only from the fifty minutes a day when we are "
            "supposed to be learning. Please vote yes on the phone-free classroom proposal.",
        ],
    },
    "letter": {
        "asides": [
            "I have had a library card there since I was six.",
            "On a weekday evening every table is taken.",
            "The librarians know most of us by name.",
            "It is also the only place nearby with free printing.",
            "My younger cousins go to story time there every Saturday.",
        ],
        "openings": [
            "To the editor: I am a tenth grader at {school}, and I am writing because the town council wants "
            "to close the Elm Street library branch to save money. For many students in our neighbourhood, "
            "that library is the only quiet place we have to study.",
            "Dear editor, the proposal to close the Elm Street library treats it as a building full of old "
            "books. It is much more than that. It is where I learned to read, where I do my homework, and "
            "where my grandmother takes her English classes every Tuesday.",
            "To the editor: last week's article said the Elm Street library is used by only a few hundred "
            "people a month. I would like to introduce the council to some of them, because I am one, and "
            "so are most of my friends at {school}.",
        ],
        "bodies": [
            "The branch is open until eight on weeknights, which is later than the school library. Students "
            "whose homes are crowded or noisy go there to work, and many of us use its computers because we "
            "do not have one of our own. Closing it would hit the families who have the fewest alternatives.",
            "The savings are also smaller than they look. The council's own budget shows the branch costs "
            "less than two percent of the library system, and the building would still need upkeep if it "
            "stood empty. A shorter weekend schedule would save money without taking the library away.",
        ],
        "counter": "",
        "closings": [
            "I ask the council to keep the Elm Street branch open and to ask the people who use it before "
            "deciding its future. We will be there at the next meeting to speak for it.",
        ],
    },
    "essay": {
        "asides": [
            "Last year I spent three hours a night on worksheets.",
            "My older sister says it was the same when she was here.",
            "I do my homework, so this is not a complaint about work.",
            "Our debate club argued about this last month and could not agree.",
            "Some teachers here have already stopped grading it.",
            "Grades should tell you what a student knows.",
        ],
        "openings": [
            "Homework is supposed to be practice, but at most schools it counts toward our grades as if it "
            "were a test. I think that is a mistake. When homework is graded, students copy answers to "
            "protect their grades instead of making the mistakes that help them learn.",
            "Every student knows the feeling of finishing a worksheet at midnight just to get the points. "
            "Teachers say homework helps us learn, and sometimes it does, but grading it changes what it is "
            "for. This essay argues that homework should be checked and discussed, not graded.",
            "At {school}, homework is worth twenty percent of the grade in most classes. That sounds "
            "reasonable until you notice who loses those points: students who work after school, look after "
            "siblings, or have nowhere quiet to study.",
        ],
        "bodies": [
            "Practice is where mistakes belong. In sports, nobody counts the missed shots at training, "
            "because missing is how you improve. If every homework mistake costs points, the smart move is "
            "to avoid mistakes by copying or looking up answers, and the practice is wasted.",
            "Grading homework also measures home life as much as learning. A student with a quiet room and "
            "a parent who can help will earn more points than one who shares a bedroom and cares for "
            "younger siblings, even if both understand the material equally well.",
        ],
        "counter": "",
        "closings": [],
    },
}

# Early revisions carry one of these mistakes; a later revision fixes it (the diff shows it).
TYPOS = [("because", "becuase"), ("believe", "beleive"), ("their", "thier"), ("which", "wich"),
         ("really", "realy"), ("different", "diffrent"), ("every", "evry")]

COMMENTS_OPENING = [
    "Strong opening: it puts the reader right in the situation. Make sure your claim follows quickly.",
    "Good hook. Could the claim itself be sharper? Say exactly what you want the board to do.",
    "This sets up the problem well. Consider cutting the first sentence and starting with the second.",
]
COMMENTS_EVIDENCE = [
    "Where does this come from? Name your source so the reader can check it.",
    "Good evidence. Now explain how it supports your claim rather than letting it speak for itself.",
    "This paragraph is doing real work. A specific number or example would make it more convincing.",
]
GENERAL_COMMENTS = [
    "A clear, well-organised argument. Next time, push your evidence further by explaining why it matters.",
    "You have a strong voice and a clear position. Work on linking each paragraph back to your claim.",
    "Good progress from your draft. Your counter-argument is the best part: keep doing that.",
    "The argument is there, but the evidence needs sources. See my comments on the second paragraph.",
]
PEER_QUESTIONS = ["What is the speaker's main claim, in one sentence?",
                  "Which reason convinced you most, and which least? Why?",
                  "One thing the speaker should change before the final version."]
PEER_ANSWERS = [
    ["Phones should stay in lockers during class.", "The study about phones within reach; the emergency part "
     "felt rushed.", "Add a personal example in the middle."],
    ["We should have a phone-free classroom.", "Group work was the most convincing because we have all seen it.",
     "The ending could be stronger, maybe a call to action."],
    ["Phones distract us even when they are off.", "The research part. The opening question was fun but long.",
     "Slow down the statistics so the audience can follow."],
]
PEER_BODIES = [
    "I liked how you talked to the audience directly. The middle could use one more example.",
    "Really convincing overall. Check the second paragraph, it repeats the first a bit.",
    "Your opening got my attention. I would move the emergency point earlier so it does not feel like an "
    "afterthought.",
]

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# --- Time --------------------------------------------------------------------------------------------

@contextmanager
def demo_clock(at):
    """Run coursework actions as if it were `at` (see the design note). Seeding only: not thread-safe."""
    real = actions.timezone
    actions.timezone = SimpleNamespace(now=lambda: at)
    try:
        yield
    finally:
        actions.timezone = real


def save_draft(submission, student, text, *, at, rng):
    """`do_save_draft` at `at`, as the student, with plausible writing-process figures."""
    grown = max(len(text) - len(submission.text), 0)
    process = {"active_seconds": rng.randint(90, 900), "typed_chars": grown + rng.randint(5, 80)}
    with demo_clock(at):
        submission, revision = do_save_draft(submission, text, base_revision=submission.revision_number,
                                             acting_user=student, process=process)
    backdate(revision, at)
    return submission


def backdate(revision, at):
    """Give a revision made under `demo_clock` (and its process event) the seeded moment."""
    if revision is not None:
        Revision.objects.filter(pk=revision.pk).update(created_at=at)
        ProcessEvent.objects.filter(revision=revision).update(created_at=at)


def submit_stage(submission, student, *, at, reflection=""):
    with demo_clock(at):
        return do_submit_stage(submission, reflection=reflection, acting_user=student)


# --- Texts -------------------------------------------------------------------------------------------

def essay_revisions(kind, index, rng, school):
    """Successive texts of one student's essay: a start, the opening, body paragraphs, a fixed typo,
    a closing, then (for the final version) a counter-argument inserted before the closing."""
    spec = TEXTS[kind]
    opening = spec["openings"][index % len(spec["openings"])].format(school=school)
    opening = f"{opening} {rng.choice(spec['asides'])}"
    bodies = [body.format(school=school) for body in rng.sample(spec["bodies"], 2)]
    closing = rng.choice(spec["closings"]).format(school=school) if spec["closings"] else ""
    counter = spec["counter"]
    correct, typo = next(((c, t) for c, t in TYPOS if re.search(rf"\b{c}\b", opening + bodies[0])), ("", ""))

    def with_typo(text):
        return re.sub(rf"\b{correct}\b", typo, text, count=1) if correct else text

    sentences = SENTENCE_END.split(opening)
    steps = [
        with_typo(" ".join(sentences[:2])),
        with_typo(opening),
        with_typo("\n\n".join([opening, bodies[0]])),
        "\n\n".join([opening, *bodies]),
    ]
    if closing:
        steps.append("\n\n".join([opening, *bodies, closing]))
    final = steps[-1]
    if counter:
        final = "\n\n".join([opening, *bodies, counter, *([closing] if closing else [])])
        if closing.startswith("In conclusion, "):
            final = final.replace("In conclusion, starting", "Starting")
    return steps, final


def find_sentence(text, paragraph):
    """(start, end) of the first sentence of the text's `paragraph`-th paragraph."""
    paragraphs = text.split("\n\n")
    offset = sum(len(p) + 2 for p in paragraphs[:paragraph])
    first = SENTENCE_END.split(paragraphs[paragraph])[0]
    return offset, offset + len(first)


# --- The course ----------------------------------------------------------------------------------------

def demo_course_exists(teacher):
    return Course.objects.filter(title=COURSE_TITLE, term=COURSE_TERM, teachers=teacher).exists()


@transaction.atomic
def ensure_demo_coursework(*, teacher, students, school, seed, now=None):
    """Make the demo course for `teacher` with `students` (30 expected) in the current institution.

    Returns the new Course, or None when the teacher already has it (nothing is changed then).
    """
    if demo_course_exists(teacher):
        return None
    rng = random.Random(seed)
    midnight = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)

    def days(n, hours=DUE_HOUR):
        """`hours` past midnight, `n` days from today (negative: ago). Due dates are at DUE_HOUR; work done
        in the past is at most yesterday evening, so it is never in the future whatever the time now."""
        return midnight + timedelta(days=n, hours=hours)

    course = do_create_course(COURSE_TITLE, COURSE_TERM, code=COURSE_CODE, sections=SECTIONS, acting_user=teacher)
    sections = list(course.sections.all())
    half = (len(students) + 1) // 2
    for i, student in enumerate(students):
        do_enrol_student(course, student, section=sections[0 if i < half else 1], acting_user=teacher)
    rubric = do_create_rubric(RUBRIC_TITLE, [
        {"title": title, "description": description,
         "levels": [{"title": LEVELS[n], "points": n + 1, "description": text} for n, text in enumerate(texts)]}
        for title, description, texts in RUBRIC
    ], description="For op-eds, speeches and letters: the argument, its support, its shape and its voice.",
        acting_user=teacher)
    levels = {}
    for level in RubricLevel.objects.filter(criterion__rubric=rubric).select_related("criterion"):
        levels.setdefault(level.criterion.position, []).append(level)
    for row in levels.values():
        row.sort(key=lambda level: level.points)

    def assignment(title, prompt, *, published, due, stages, **fields):
        """Created and published by the teacher at `published`."""
        with demo_clock(published):
            made = do_create_assignment(course, title=title, prompt=prompt, due_at=due, stages=stages,
                                        acting_user=teacher, **fields)
            do_publish_assignment(made, acting_user=teacher)
        return made

    ctx = SimpleNamespace(course=course, teacher=teacher, students=students, school=school, rng=rng,
                          rubric=rubric, levels=levels, days=days, assignment=assignment)
    _graded_op_ed(ctx)
    _peer_reviewed_speech(ctx)
    _letter_under_review(ctx)
    _essay_in_progress(ctx)
    assignment("Persuasive essay: community service for graduation",
               "Should 40 hours of community service be required to graduate? Take a side and argue it.",
               published=days(-1, 8), due=days(24), rubric=rubric, min_words=400, max_words=1200,
               stages=[(Stage.Kind.OUTLINE, days(10)), (Stage.Kind.FINAL, days(24))],
               instructions="Start with an outline: your claim, three reasons, and the strongest objection.")
    with demo_clock(days(-1, 19)):
        do_create_assignment(course, title="Debate brief: the four-day school week",
                             prompt="Prepare both sides of the motion: 'This house would adopt a four-day week.'",
                             due_at=days(35), acting_user=teacher)  # left unpublished: the teacher is preparing it
    return course


def _score(ctx, submission, quality):
    """Rubric scores around `quality` (0..3) for every criterion; returns the points."""
    points = Decimal(0)
    for position in sorted(ctx.levels):
        n = max(0, min(3, quality + ctx.rng.choice((-1, 0, 0, 1))))
        level = ctx.levels[position][n]
        do_score_rubric(submission, level, acting_user=ctx.teacher)
        points += level.points
    return points


def _comment(ctx, submission, revision_number, text):
    start, end = find_sentence(text, 0)
    do_add_comment(submission, revision_number=revision_number, start=start, end=end,
                   body=ctx.rng.choice(COMMENTS_OPENING), acting_user=ctx.teacher)
    if text.count("\n\n") >= 1:
        start, end = find_sentence(text, 1)
        do_add_comment(submission, revision_number=revision_number, start=start, end=end,
                       body=ctx.rng.choice(COMMENTS_EVIDENCE), acting_user=ctx.teacher)


def _graded_op_ed(ctx):
    """Assignment 1: draft and final submitted weeks ago (two late), reviewed, graded and released."""
    days, rng = ctx.days, ctx.rng
    op_ed = ctx.assignment(
        "Op-ed: should our school day start later?",
        "Write an op-ed for the school paper arguing for or against moving the first bell to 8:30.",
        published=days(-42, 8), due=days(-21), rubric=ctx.rubric, min_words=150, max_words=900,
        late_policy="penalty", late_penalty_percent_per_day=5,
        stages=[(Stage.Kind.DRAFT, days(-30)), (Stage.Kind.FINAL, days(-21))],
        instructions="Aim for 500–800 words. Use at least two sources and answer one objection.")
    max_points = sum(level[-1].points for level in ctx.levels.values())
    late_draft, late_final = {6}, {18}
    for i, student in enumerate(ctx.students):
        steps, final = essay_revisions("op-ed", i, rng, ctx.school)
        submission = get_or_start_submission(op_ed, student)
        for n, text in enumerate(steps):
            submission = save_draft(submission, student, text, at=days(-40 + 2 * n, hours=rng.randint(15, 21)), rng=rng)
        draft_at = days(-29 if i in late_draft else -31, hours=rng.randint(8, 20))
        submission = submit_stage(submission, student, at=draft_at,
                                  reflection="I would like feedback on my evidence." if i % 3 == 0 else "")
        submission = save_draft(submission, student, final, at=days(-24, hours=rng.randint(15, 21)), rng=rng)
        final_at = days(-20 if i in late_final else -22, hours=rng.randint(8, 20))
        submission = submit_stage(submission, student, at=final_at)
        _comment(ctx, submission, submission.revision_number, final)
        points = _score(ctx, submission, quality=rng.choice((1, 2, 2, 3)))
        grade = (points / max_points * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        if i in late_final:
            grade -= 5  # one day late at 5 % a day
        do_grade_submission(submission, grade=grade, general_comment=rng.choice(GENERAL_COMMENTS),
                            acting_user=ctx.teacher)
        with demo_clock(days(-14, hours=rng.randint(9, 16))):
            do_release_feedback(submission, acting_user=ctx.teacher)


def _peer_reviewed_speech(ctx):
    """Assignment 2: drafts submitted, peer review open and allocated, a third of the reviews in."""
    days, rng = ctx.days, ctx.rng
    speech = ctx.assignment(
        "Speech: phones in the classroom",
        "Write a three-minute speech persuading your classmates to support (or oppose) phone-free classrooms.",
        published=days(-20, 8), due=days(10), rubric=ctx.rubric, min_words=250, max_words=600,
        stages=[(Stage.Kind.DRAFT, days(-4)), (Stage.Kind.FINAL, days(10))],
        instructions="Write it to be heard: short sentences, a clear call to action.")
    draft_stage = speech.stages.get(kind=Stage.Kind.DRAFT)
    with demo_clock(days(-5, 9)):
        do_configure_peer_review(speech, stage=draft_stage, opens_at=days(-3, 8), closes_at=days(4),
                                 reviewers_per_submission=2, anonymous=True, rubric=ctx.rubric,
                                 guiding_questions=PEER_QUESTIONS, acting_user=ctx.teacher)
    count = len(ctx.students)
    not_started, still_drafting, late = {count - 1}, {count - 2, count - 3}, {10}
    for i, student in enumerate(ctx.students):
        if i in not_started:
            continue
        steps, _ = essay_revisions("speech", i, rng, ctx.school)
        steps = steps[:2] if i in still_drafting else steps
        submission = get_or_start_submission(speech, student)
        for n, text in enumerate(steps):
            submission = save_draft(submission, student, text, at=days(-14 + 2 * n, hours=rng.randint(15, 21)), rng=rng)
        if i not in still_drafting:
            submitted_at = days(-4, hours=20) if i in late else days(-5, hours=rng.randint(8, 20))
            submit_stage(submission, student, at=submitted_at)
    with demo_clock(days(-3, 8)):
        do_allocate_peer_reviews(speech, seed=rng.randint(0, 10**6), acting_user=ctx.teacher)
    allocations = list(PeerReviewAllocation.objects.filter(assignment=speech)
                       .select_related("reviewer", "submission__student").order_by("reviewer__email", "pk"))
    # Submitted: both reviews of the first student's draft (so they can read and rate them), and the
    # first allocation of every third reviewer by email, the first student included (who then has one
    # review done and one to do).
    by_reviewer = {}
    for allocation in allocations:
        by_reviewer.setdefault(allocation.reviewer_id, []).append(allocation)
    done = [a for a in allocations if a.submission.student_id == ctx.students[0].pk]
    for n, mine in enumerate(by_reviewer.values()):
        if n % 3 == 0 and mine[0] not in done:
            done.append(mine[0])
    peer_levels = [ctx.levels[position] for position in sorted(ctx.levels)]
    for n, allocation in enumerate(done):
        chosen = [row[rng.choice((1, 2, 2, 3))] for row in peer_levels]
        with demo_clock(days(-2, hours=8 + n)):
            review = do_submit_peer_review(allocation, body=rng.choice(PEER_BODIES),
                                           answers=rng.choice(PEER_ANSWERS), levels=chosen,
                                           acting_user=allocation.reviewer)
        if n % 2 == 0:
            do_rate_peer_review(review, rng.choice((4, 5)), acting_user=allocation.submission.student)


def _letter_under_review(ctx):
    """Assignment 3: due two days ago; most submitted (two late), two drafting, two not started; the
    teacher has commented on and scored the first few, graded some, released nothing."""
    days, rng = ctx.days, ctx.rng
    letter = ctx.assignment(
        "Letter to the editor: save the Elm Street library",
        "The town council plans to close the Elm Street library branch. Write a letter to the local paper "
        "arguing for or against the closure.",
        published=days(-16, 8), due=days(-2), rubric=ctx.rubric, min_words=150, max_words=450,
        stages=[(Stage.Kind.FINAL, days(-2))], instructions="Keep it under 450 words: editors cut long letters.")
    count = len(ctx.students)
    not_started, drafting, late = {count - 1, count - 2}, {count - 3, count - 4}, {3, 21}
    reviewed = 0
    for i, student in enumerate(ctx.students):
        if i in not_started:
            continue
        steps, _ = essay_revisions("letter", i, rng, ctx.school)
        steps = steps[:3] if i in drafting else steps
        submission = get_or_start_submission(letter, student)
        for n, text in enumerate(steps):
            submission = save_draft(submission, student, text, at=days(-10 + n, hours=rng.randint(15, 21)), rng=rng)
        if i in drafting:
            continue
        submission = submit_stage(submission, student, at=days(-1, hours=rng.randint(7, 20)) if i in late
                                  else days(-3, hours=rng.randint(8, 20)))
        if reviewed < 6:  # the teacher's progress: comments and scores; grades for the first three
            _comment(ctx, submission, submission.revision_number, steps[-1])
            points = _score(ctx, submission, quality=rng.choice((1, 2, 3)))
            if reviewed < 3:
                max_points = sum(level[-1].points for level in ctx.levels.values())
                grade = (points / max_points * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                do_grade_submission(submission, grade=grade, acting_user=ctx.teacher)
            reviewed += 1


def _essay_in_progress(ctx):
    """Assignment 4: draft due in three days; most students drafting, two drafts already in, some not started."""
    days, rng = ctx.days, ctx.rng
    essay = ctx.assignment(
        "Argumentative essay: should homework be graded?",
        "Argue whether homework should count toward your grade. Use evidence from the two articles we read.",
        published=days(-7, 8), due=days(12), rubric=ctx.rubric, min_words=300, max_words=1000,
        stages=[(Stage.Kind.DRAFT, days(3)), (Stage.Kind.FINAL, days(12))])
    for i, student in enumerate(ctx.students):
        if i % 5 == 4:
            continue  # not started (the writing page starts the work when they open it)
        steps, _ = essay_revisions("essay", i, rng, ctx.school)
        steps = steps[: 2 + i % 3]
        submission = get_or_start_submission(essay, student)
        for n, text in enumerate(steps):
            submission = save_draft(submission, student, text, at=days(-5 + n, hours=rng.randint(15, 21)), rng=rng)
        if i in (1, 2):
            submit_stage(submission, student, at=days(-1, hours=rng.randint(8, 20)))
