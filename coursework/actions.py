"""Every change to coursework goes through here (pages, API, LTI, admin, seeding).

Grades, feedback and rubric scores are audit-logged (coursework/apps.py registers the models);
every action runs `with acting_as(acting_user)` so the log names who did it.
"""

import csv
import functools
import io
import json
import random
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from coursework import revisions
from coursework.models import (
    Assignment,
    Comment,
    Course,
    Enrolment,
    PeerReview,
    PeerReviewAllocation,
    PeerReviewSettings,
    ProcessEvent,
    Revision,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Section,
    Stage,
    StageSubmission,
    Submission,
)
from coursework.signals import grade_released
from scribetree.audit import acting_as
from scribetree.compiled import CompiledQuery

WORD_RE = re.compile(r"\S+")


def count_words(text):
    return len(WORD_RE.findall(text))


# --- Courses and enrolment ------------------------------------------------------------------------

@transaction.atomic
def do_create_course(title, term, *, code="", sections=(), teachers=None, acting_user):
    """teachers: who teaches it; None means the person creating it (a teacher making a course).
    A roster import passes the class's teachers (possibly none) so the admin is not made one."""
    with acting_as(acting_user):
        course = Course(title=title.strip(), term=term.strip(), code=code.strip())
        course.full_clean()
        course.save()
        course.teachers.add(*([acting_user] if teachers is None else teachers))
        for name in sections:
            if name.strip():
                Section.objects.create(course=course, name=name.strip())
    return course


@transaction.atomic
def do_update_course(course, *, title, term, code="", new_sections=(), acting_user):
    """Rename a course and add sections (existing sections keep their students)."""
    with acting_as(acting_user):
        course.title, course.term, course.code = title.strip(), term.strip(), code.strip()
        course.full_clean()
        course.save(update_fields=["title", "term", "code"])
        known = {name.lower() for name in course.sections.values_list("name", flat=True)}
        for name in new_sections:
            if name.strip() and name.strip().lower() not in known:
                Section.objects.create(course=course, name=name.strip())
                known.add(name.strip().lower())
    return course


@transaction.atomic
def do_add_course_teacher(course, teacher, *, acting_user):
    if teacher.role != Role.TEACHER:
        raise ValidationError(f"{teacher} is not a teacher.")
    with acting_as(acting_user):
        course.teachers.add(teacher)


@transaction.atomic
def do_remove_course_teacher(course, teacher, *, acting_user):
    with acting_as(acting_user):
        course.teachers.remove(teacher)


@transaction.atomic
def do_create_section(course, name, *, acting_user):
    with acting_as(acting_user):
        section = Section(course=course, name=name.strip())
        section.full_clean()
        section.save()
    return section


@transaction.atomic
def do_rename_section(section, name, *, acting_user):
    with acting_as(acting_user):
        section.name = name.strip()
        section.full_clean()
        section.save(update_fields=["name"])
    return section


@transaction.atomic
def do_unarchive_course(course, *, acting_user):
    with acting_as(acting_user):
        course.archived_at = None
        course.save(update_fields=["archived_at"])
    return course


@transaction.atomic
def do_archive_course(course, *, acting_user):
    with acting_as(acting_user):
        course.archived_at = timezone.now()
        course.save(update_fields=["archived_at"])
    return course


@transaction.atomic
def do_enrol_student(course, student, *, section=None, acting_user):
    if student.role != Role.STUDENT:
        raise ValidationError(f"{student} is not a student.")
    with acting_as(acting_user):
        enrolment, _ = Enrolment.objects.get_or_create(course=course, student=student, defaults={"section": section})
        if section is not None and enrolment.section_id != section.pk:
            enrolment.section = section
            enrolment.save(update_fields=["section"])
    return enrolment


@transaction.atomic
def do_unenrol_student(course, student, *, acting_user):
    with acting_as(acting_user):
        Enrolment.objects.filter(course=course, student=student).delete()


@dataclass
class CsvImportResult:
    enrolled: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def ok(self):
        return not self.errors


CSV_MAX_ROWS = 2000


def check_enrol_from_csv(course, uploaded_text, *, acting_user):
    """Enrol every row or none: a file with any bad row changes nothing and says which rows."""
    result = CsvImportResult()
    reader = csv.DictReader(io.StringIO(uploaded_text))
    fields = {name.strip().lower() for name in (reader.fieldnames or [])}
    if "email" not in fields:
        result.errors.append((1, "The first row must name the columns, including 'email' (and optionally 'section')."))
        return result
    sections = {s.name.lower(): s for s in course.sections.all()}
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number > CSV_MAX_ROWS + 1:
            result.errors.append((number, f"Files are limited to {CSV_MAX_ROWS} rows."))
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        rows.append((number, row))
    emails = [row.get("email", "").lower() for _, row in rows]
    students = {u.email: u for u in User.objects.filter(email__in=emails)}
    seen = set()
    plan = []
    for number, row in rows:
        email = row.get("email", "").lower()
        section_name = row.get("section", "")
        student = students.get(email)
        if not email:
            result.errors.append((number, "The email is empty."))
        elif email in seen:
            result.errors.append((number, f"{email} appears twice in the file."))
        elif student is None:
            result.errors.append((number, f"No one at this institution has the email {email}."))
        elif student.role != Role.STUDENT:
            result.errors.append((number, f"{email} is not a student."))
        elif section_name and section_name.lower() not in sections:
            result.errors.append((number, f"This course has no section called {section_name!r}."))
        else:
            plan.append((student, sections.get(section_name.lower())))
        seen.add(email)
    if result.errors:
        return result
    with transaction.atomic():
        for student, section in plan:
            do_enrol_student(course, student, section=section, acting_user=acting_user)
            result.enrolled.append(student)
    return result


# --- Rubrics --------------------------------------------------------------------------------------

@transaction.atomic
def do_create_rubric(title, criteria, *, description="", acting_user):
    """criteria: [{"title", "description", "levels": [{"title", "points", "description"}]}]"""
    if not criteria:
        raise ValidationError("A rubric needs at least one criterion.")
    with acting_as(acting_user):
        rubric = Rubric.objects.create(title=title.strip(), description=description, created_by=acting_user)
        for position, criterion in enumerate(criteria):
            if not criterion.get("levels"):
                raise ValidationError(f"Criterion {criterion.get('title')!r} needs at least one level.")
            row = RubricCriterion.objects.create(rubric=rubric, title=criterion["title"],
                                                 description=criterion.get("description", ""), position=position)
            for level in criterion["levels"]:
                RubricLevel.objects.create(criterion=row, title=level["title"], points=level["points"],
                                           description=level.get("description", ""))
    return rubric


# --- Assignments ----------------------------------------------------------------------------------

@transaction.atomic
def do_create_assignment(course, *, title, prompt, due_at, stages=(), acting_user, **fields):
    """stages: [(kind, due_at)] in order; none means a single final stage due with the assignment."""
    with acting_as(acting_user):
        assignment = Assignment(course=course, title=title, prompt=prompt, due_at=due_at, **fields)
        assignment.full_clean()
        if assignment.min_words and assignment.max_words and assignment.min_words > assignment.max_words:
            raise ValidationError({"min_words": "The minimum is above the maximum."})
        assignment.save()
        stages = list(stages) or [(Stage.Kind.FINAL, due_at)]
        for position, (kind, stage_due) in enumerate(stages):
            Stage.objects.create(assignment=assignment, kind=kind, position=position, due_at=stage_due)
    return assignment


ASSIGNMENT_DESIGN_FIELDS = {"title", "prompt", "instructions", "due_at", "late_policy", "late_penalty_percent_per_day",
                            "min_words", "max_words", "rubric", "max_points", "allow_resubmission"}


class DesignLocked(ValidationError):
    pass


@transaction.atomic
def do_update_assignment(assignment, *, stages=None, acting_user, **fields):
    """Change an assignment's design (audited field by field).

    Stages keep their rows, because submissions point at them: due dates can always move, but which
    stages there are can change only until a student has started writing. The rubric can change
    only until someone has been scored against it (the scores would point at another rubric's levels).
    """
    unknown = set(fields) - ASSIGNMENT_DESIGN_FIELDS
    if unknown:
        raise ValueError(f"Not part of an assignment's design: {sorted(unknown)}")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if "rubric" in fields and fields["rubric"] != assignment.rubric and \
            RubricScore.objects.filter(submission__assignment=assignment).exists():
        raise DesignLocked({"rubric": "Work has already been scored with the current rubric, so it stays."})
    with acting_as(acting_user):
        for name, value in fields.items():
            setattr(assignment, name, value)
        assignment.full_clean()
        if assignment.min_words and assignment.max_words and assignment.min_words > assignment.max_words:
            raise ValidationError({"min_words": "The minimum is above the maximum."})
        assignment.save()
        if stages is not None:
            _update_stages(assignment, list(stages) or [(Stage.Kind.FINAL, assignment.due_at)])
    return assignment


def _update_stages(assignment, stages):
    existing = list(assignment.stages.all())
    if [stage.kind for stage in existing] == [kind for kind, _ in stages]:
        for stage, (_, due_at) in zip(existing, stages, strict=True):
            if stage.due_at != due_at:
                stage.due_at = due_at
                stage.save(update_fields=["due_at"])
        return
    if assignment.submissions.filter(revision_number__gt=0).exists():
        raise DesignLocked({"stages": "Students have started writing, so the stages stay as they are "
                                      "(their due dates can still change)."})
    assignment.stages.all().delete()  # only empty submissions point at them (current_stage is SET_NULL)
    for position, (kind, due_at) in enumerate(stages):
        Stage.objects.create(assignment=assignment, kind=kind, position=position, due_at=due_at)


@transaction.atomic
def do_publish_assignment(assignment, *, acting_user):
    with acting_as(acting_user):
        assignment.published_at = timezone.now()
        assignment.save(update_fields=["published_at"])
    return assignment


@transaction.atomic
def do_configure_peer_review(assignment, *, stage, opens_at, closes_at, acting_user, **options):
    with acting_as(acting_user):
        settings_row, _ = PeerReviewSettings.objects.update_or_create(
            assignment=assignment,
            defaults={"stage": stage, "opens_at": opens_at, "closes_at": closes_at, **options},
        )
        assignment.peer_review = settings_row  # an update would otherwise leave the caller's cached copy stale
        assignment.peer_review_enabled = True
        assignment.save(update_fields=["peer_review_enabled"])
    return settings_row


# --- Writing: autosave, revisions, submission ------------------------------------------------------

class SaveConflict(Exception):
    """The text was saved from somewhere else (another tab) since this one loaded it."""

    def __init__(self, current_revision):
        super().__init__("This work was changed in another window.")
        self.current_revision = current_revision


def get_or_start_submission(assignment, student):
    """The student's submission for `assignment`, created (not started) the first time.

    Read with a query compiled once per process (scribetree/compiled.py): the writing page reads it
    on every visit, and the ORM's get_or_create spent more time building its query than running it."""
    submission = _SUBMISSION_OF.first(assignment_id=assignment.pk, student_id=student.pk)
    if submission is None:
        submission, _ = Submission.objects.get_or_create(assignment=assignment, student=student)
    submission.assignment, submission.student = assignment, student
    return submission


_SUBMISSION_OF = CompiledQuery(
    Submission, [field.attname for field in Submission._meta.concrete_fields],
    lambda assignment_id, student_id: Submission.objects.filter(assignment_id=assignment_id, student_id=student_id))


def do_save_draft(submission, text, *, base_revision, acting_user, process=None):
    """Autosave. `base_revision` is the revision number the editor started from.

    Optimistic concurrency: the save applies only if the submission is still at `base_revision`,
    checked by the database as it writes, so two tabs saving at once cannot both win; the second
    gets SaveConflict and is told. Saving unchanged text makes no revision.

    The first save (it starts the work: an audited status change) goes through the ORM under a row
    lock. Every later save -- the hot path, every few seconds per student -- is one statement
    (`_compare_and_save`): update the submission if its revision number is unchanged, insert the
    revision and its writing figures. One round trip instead of six (BEGIN, SELECT ... FOR UPDATE,
    three writes, COMMIT), and no savepoint when called inside a transaction.
    """
    if submission.revision_number != base_revision:  # the caller's copy may be older than the row
        submission = Submission.objects.get(pk=submission.pk)
        if submission.revision_number != base_revision:
            raise SaveConflict(submission.revision_number)
    if submission.text == text and submission.revision_number > 0:
        return submission, None
    if submission.status == Submission.Status.NOT_STARTED or submission.revision_number == 0:
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            return _save_locked_draft(locked, text, base_revision=base_revision, acting_user=acting_user,
                                      process=process)
    return _compare_and_save(submission, text, base_revision=base_revision, process=process)


def _process_figures(process):
    process = process or {}
    return {"active_seconds": min(int(process.get("active_seconds", 0)), 3600),
            "typed_chars": min(int(process.get("typed_chars", 0)), 1_000_000),
            "pasted_chars": min(int(process.get("pasted_chars", 0)), 1_000_000),
            "paste_sizes": [int(s) for s in process.get("paste_sizes", [])][:50]}


def _save_locked_draft(locked, text, *, base_revision, acting_user, process):
    if locked.revision_number != base_revision:
        raise SaveConflict(locked.revision_number)
    if locked.text == text and locked.revision_number > 0:
        return locked, None
    number = locked.revision_number + 1
    encoded = revisions.encode(locked.text if locked.revision_number else None, text, number)
    words = count_words(text)
    revision = Revision.objects.create(submission=locked, number=number, word_count=words, length=len(text),
                                       **encoded)
    figures = _process_figures(process)
    if any(figures.values()):  # a save without figures (an API client that sends none) stores none
        ProcessEvent.objects.create(revision=revision, created_at=revision.created_at, **figures)
    locked.text = text
    locked.revision_number = number
    locked.word_count = words
    if locked.status == Submission.Status.NOT_STARTED:
        locked.status = Submission.Status.DRAFTING
        locked.started_at = timezone.now()
        locked.current_stage = locked.assignment.stages.first()
    with acting_as(acting_user):  # the status change is audited
        locked.save(update_fields=["text", "revision_number", "word_count", "status", "started_at",
                                   "current_stage", "updated_at"])
    return locked, revision


def _compare_and_save(submission, text, *, base_revision, process):
    """The hot path of `do_save_draft`, in one statement (hand-written SQL: the ORM cannot chain an
    UPDATE and two INSERTs on its result). `submission.text` must be the text of `base_revision`:
    the UPDATE applies only while the row's revision number is still `base_revision`, and every
    change of the text bumps that number, so the splice below is taken from the right text. It
    changes no audited field (grade, comment, release, status), so nothing is audited, and no field
    the cached dashboards show (coursework/freshness.py), so no token is dropped."""
    number = base_revision + 1
    encoded = revisions.encode(submission.text, text, number)
    words, now = count_words(text), timezone.now()
    figures = _process_figures(process)
    with connection.cursor() as cursor:
        cursor.execute(_compare_and_save_sql(), {
            "id": submission.pk, "base": base_revision, "number": number, "text": text, "words": words, "now": now,
            "length": len(text), **encoded, "with_figures": any(figures.values()),
            **{k: v for k, v in figures.items() if k != "paste_sizes"},
            "paste_sizes": json.dumps(figures["paste_sizes"])})
        row = cursor.fetchone()
    if row is None:  # another tab (or a retry) saved first
        current = Submission.objects.filter(pk=submission.pk).values_list("revision_number", flat=True).first()
        raise SaveConflict(current or 0)
    submission.text, submission.revision_number, submission.word_count, submission.updated_at = text, number, words, now
    revision = Revision(id=row[0], submission=submission, number=number, created_at=now, word_count=words,
                        length=len(text), **encoded)
    return submission, revision


@functools.cache
def _compare_and_save_sql():
    """The statement, with table and column names taken from the models (so a renamed column
    cannot silently drift from this SQL)."""
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def cols(model, *names):
        return ", ".join(q(model._meta.get_field(name).column) for name in names)

    sub_id, sub_number = cols(Submission, "id"), cols(Submission, "revision_number")
    text, words, updated = cols(Submission, "text"), cols(Submission, "word_count"), cols(Submission, "updated_at")
    return f"""
WITH saved AS (
    UPDATE {table(Submission)} SET {text} = %(text)s, {sub_number} = %(number)s, {words} = %(words)s,
        {updated} = %(now)s
    WHERE {sub_id} = %(id)s AND {sub_number} = %(base)s
    RETURNING {sub_id} AS id
), revision AS (
    INSERT INTO {table(Revision)} ({cols(Revision, "submission", "number", "created_at", "keyframe", "data",
                                        "prefix", "suffix", "word_count", "length")})
    SELECT id, %(number)s, %(now)s, %(keyframe)s, %(data)s, %(prefix)s, %(suffix)s, %(words)s, %(length)s FROM saved
    RETURNING {cols(Revision, "id")} AS id
), event AS (
    INSERT INTO {table(ProcessEvent)} ({cols(ProcessEvent, "revision", "created_at", "active_seconds",
                                            "typed_chars", "pasted_chars", "paste_sizes")})
    SELECT id, %(now)s, %(active_seconds)s, %(typed_chars)s, %(pasted_chars)s, %(paste_sizes)s::jsonb
    FROM revision WHERE %(with_figures)s
)
SELECT id FROM revision"""


def revision_text(submission, number):
    """Rebuild the text of revision `number` (reads at most KEYFRAME_EVERY rows)."""
    keyframe = (Revision.objects.filter(submission=submission, number__lte=number, keyframe=True)
                .order_by("-number").values_list("number", flat=True).first())
    if keyframe is None:
        raise Revision.DoesNotExist
    rows = Revision.objects.filter(submission=submission, number__gte=keyframe, number__lte=number).order_by("number")
    return revisions.rebuild(rows)


class SubmissionRefused(ValidationError):
    pass


@transaction.atomic
def do_submit_stage(submission, *, reflection="", acting_user):
    submission = Submission.objects.select_for_update().select_related("assignment").get(pk=submission.pk)
    assignment = submission.assignment
    stages = list(assignment.stages.all())
    stage = submission.current_stage or stages[0]
    if submission.revision_number == 0:
        raise SubmissionRefused("There is nothing to submit yet.")
    now = timezone.now()
    is_late = now > stage.due_at
    if is_late and assignment.late_policy == Assignment.LatePolicy.REFUSE:
        raise SubmissionRefused("The due date has passed and this assignment does not accept late work.")
    already = submission.stage_submissions.filter(stage=stage).count()
    if already and not (assignment.allow_resubmission and submission.feedback_released_at):
        raise SubmissionRefused("This stage has already been submitted.")
    with acting_as(acting_user):
        revision = submission.revisions.get(number=submission.revision_number)
        StageSubmission.objects.create(submission=submission, stage=stage, revision=revision,
                                       reflection=reflection.strip(), is_late=is_late, attempt=already + 1,
                                       submitted_at=now)
        following = [s for s in stages if s.position > stage.position]
        submission.current_stage = following[0] if following else stage
        submission.status = Submission.Status.SUBMITTED
        submission.last_submitted_at = now
        submission.submitted_late = submission.submitted_late or is_late
        submission.save(update_fields=["current_stage", "status", "last_submitted_at", "submitted_late", "updated_at"])
    from integrity.actions import queue_check  # similarity and observations, in Celery after commit

    queue_check(submission, revision.number)
    return submission


# --- Feedback and grades -------------------------------------------------------------------------

@transaction.atomic
def do_add_comment(submission, *, revision_number, start, end, body, acting_user):
    text = revision_text(submission, revision_number)
    if not (0 <= start < end <= len(text)):
        raise ValidationError("Select a passage of the text to comment on.")
    if not body.strip():
        raise ValidationError("Write a comment.")
    with acting_as(acting_user):
        return Comment.objects.create(
            submission=submission, revision=submission.revisions.get(number=revision_number), author=acting_user,
            anchor_start=start, anchor_end=end, quote=text[start:end], body=body.strip())


@transaction.atomic
def do_delete_comment(comment, *, acting_user):
    with acting_as(acting_user):
        comment.delete()


@transaction.atomic
def do_score_rubric(submission, level, *, comment="", acting_user):
    rubric = submission.assignment.rubric
    if rubric is None or level.criterion.rubric_id != rubric.pk:
        raise ValidationError("That level is not part of this assignment's rubric.")
    with acting_as(acting_user):
        score, created = RubricScore.objects.get_or_create(
            submission=submission, criterion=level.criterion, defaults={"level": level, "comment": comment})
        if not created:
            score.level = level
            score.comment = comment
            score.save(update_fields=["level", "comment"])
    return score


@transaction.atomic
def do_grade_submission(submission, *, grade, general_comment=None, acting_user):
    if grade is not None and not (0 <= grade <= submission.assignment.max_points):
        raise ValidationError(f"The grade must be between 0 and {submission.assignment.max_points}.")
    with acting_as(acting_user):
        submission.grade = grade
        fields = ["grade", "updated_at"]
        if general_comment is not None:
            submission.general_comment = general_comment.strip()
            fields.append("general_comment")
        submission.save(update_fields=fields)
    if submission.feedback_released_at is not None:
        grade_released.send(sender=Submission, submission=submission)  # a released grade changed
    return submission


@transaction.atomic
def do_release_feedback(submission, *, acting_user):
    with acting_as(acting_user):
        submission.feedback_released_at = timezone.now()
        submission.status = Submission.Status.RETURNED
        submission.save(update_fields=["feedback_released_at", "status", "updated_at"])
    grade_released.send(sender=Submission, submission=submission)
    return submission


# --- Peer review -----------------------------------------------------------------------------------

@transaction.atomic
def do_allocate_peer_reviews(assignment, *, acting_user, seed=None):
    """Random, balanced, never self: each submitted draft gets `reviewers_per_submission` reviewers
    and each reviewer gets the same number of drafts (rotation over a shuffled ring)."""
    review = assignment.peer_review
    submissions = list(Submission.objects.filter(
        assignment=assignment, stage_submissions__stage=review.stage).distinct().order_by("pk"))
    # Drafts of students who declined showing their work to classmates are not dealt (privacy consent).
    from privacy.consent import people_without
    from privacy.models import Purpose

    declined = people_without(Purpose.PEER_SHOWING, [s.student_id for s in submissions])
    submissions = [s for s in submissions if s.student_id not in declined]
    per = min(review.reviewers_per_submission, max(len(submissions) - 1, 0))
    rng = random.Random(seed)
    rng.shuffle(submissions)
    with acting_as(acting_user):
        PeerReviewAllocation.objects.filter(assignment=assignment, review__isnull=True).delete()
        created = []
        for index, submission in enumerate(submissions):
            for offset in range(1, per + 1):
                reviewer = submissions[(index + offset) % len(submissions)].student
                allocation, made = PeerReviewAllocation.objects.get_or_create(
                    assignment=assignment, reviewer=reviewer, submission=submission)
                if made:
                    created.append(allocation)
    return created


@transaction.atomic
def do_allocate_peer_review_manually(assignment, reviewer, submission, *, acting_user):
    if submission.student_id == reviewer.pk:
        raise ValidationError("A student cannot review their own work.")
    with acting_as(acting_user):
        try:
            return PeerReviewAllocation.objects.create(assignment=assignment, reviewer=reviewer, submission=submission)
        except IntegrityError:
            raise ValidationError("That reviewer already has this draft.") from None


@transaction.atomic
def do_submit_peer_review(allocation, *, body="", answers=(), levels=(), acting_user):
    settings_row = allocation.assignment.peer_review
    now = timezone.now()
    if not (settings_row.opens_at <= now <= settings_row.closes_at):
        raise ValidationError("The review window is closed.")
    with acting_as(acting_user):
        review, _ = PeerReview.objects.update_or_create(
            allocation=allocation, defaults={"body": body.strip(), "answers": list(answers), "submitted_at": now})
        review.rubric_levels.set(levels)
    return review


@transaction.atomic
def do_rate_peer_review(review, helpfulness, *, acting_user):
    if not 1 <= helpfulness <= 5:
        raise ValidationError("Rate from 1 to 5.")
    with acting_as(acting_user):
        review.helpfulness = helpfulness
        review.save(update_fields=["helpfulness"])
    return review


@transaction.atomic
def do_hide_peer_review(review, *, reason, acting_user):
    with acting_as(acting_user):
        review.hidden_at = timezone.now()
        review.hidden_reason = reason.strip()[:300]
        review.save(update_fields=["hidden_at", "hidden_reason"])
    return review


# --- Peer review and API ---------------------------------------------------------------------------

def check_allocate_peer_reviews(assignment, *, acting_user, seed=None):
    """Random allocation from the teacher's page and the API.

    Refused once any review is submitted: do_allocate_peer_reviews keeps reviewed allocations and
    deals a fresh ring around them, so a second run would give some students more than N drafts,
    and replace allocations that reviewers may be half-way through. Late drafts are allocated by hand.
    """
    if PeerReview.objects.filter(allocation__assignment=assignment, submitted_at__isnull=False).exists():
        raise ValidationError("Reviews have already been submitted, so reviews cannot be allocated again at "
                              "random. Choose a reviewer by hand for any late draft.")
    return do_allocate_peer_reviews(assignment, acting_user=acting_user, seed=seed)


# --- Student side ----------------------------------------------------------------------------------

def check_save_draft(submission, text, *, base_revision, acting_user, process=None):
    """`do_save_draft`, except that a save whose text is already the saved text is not a conflict.

    That happens when an editor's save reached the server but its response was lost (the network
    dropped): the editor retries the same text from the same base. Telling the student "changed in
    another tab" then would be wrong; the save already happened, so report the current revision.
    """
    try:
        return do_save_draft(submission, text, base_revision=base_revision, acting_user=acting_user,
                             process=process)
    except SaveConflict:
        current = Submission.objects.get(pk=submission.pk)
        if current.text == text:
            return current, None
        raise
