"""Teacher pages: courses and enrolment, rubrics, assignment design, dashboard, gradebook, review.

Each view: the teacher role, an access_* fetch (404 for anything not theirs, including other
institutions' ids), a form whose save() calls one action, then a redirect — or, for htmx
requests on the review page, the part of the page that changed.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from coursework import dashboard, gradebook, review
from coursework.access import access_assignment_as_teacher, access_course_as_teacher, access_submission_as_teacher
from coursework.actions import (
    do_archive_course,
    do_delete_comment,
    do_publish_assignment,
    do_release_feedback,
    do_unenrol_student,
)
from coursework.forms import (
    AssignmentEditForm,
    AssignmentForm,
    CommentForm,
    CourseEditForm,
    CourseForm,
    EnrolCsvForm,
    EnrolStudentForm,
    GradeForm,
    RubricForm,
    find_students,
    rubric_score_form,
    run_action,
)
from coursework.models import Rubric

teacher_only = role_required(Role.TEACHER)
T = "coursework/teacher/"


def _saved(request, form):
    """What the form's action returned, or None when not posted, invalid or refused (errors on the form)."""
    if request.method == "POST" and form.is_valid():
        return run_action(form, lambda: form.save(request.user))
    return None


# --- Home and courses -----------------------------------------------------------------------------

@teacher_only
def home(request):
    courses = dashboard.teacher_courses(request.user)
    return render(request, T + "home.html", {"active": [c for c in courses if not c.is_archived],
                                              "archived": [c for c in courses if c.is_archived]})


@teacher_only
def course_create(request):
    form = CourseForm(request.POST or None)
    if (course := _saved(request, form)) is not None:
        messages.success(request, f"Created {course}. Add students next.")
        return redirect("teacher_students", course.pk)
    return render(request, T + "course_form.html", {"form": form})


@teacher_only
def course_dashboard(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    return render(request, T + "course_dashboard.html", {"course": course, **dashboard.course_cards(course)})


@teacher_only
def course_edit(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    form = CourseEditForm(course, request.POST or None)
    if _saved(request, form) is not None:
        messages.success(request, f"Saved the changes to {course}.")
        return redirect("teacher_course", course.pk)
    return render(request, T + "course_form.html", {"form": form, "course": course})


@teacher_only
def course_archive(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    if request.method == "POST" and not course.is_archived:
        do_archive_course(course, acting_user=request.user)
        messages.success(request, f"Archived {course}. Students no longer see it; its work and grades are kept.")
        return redirect("teacher_home")
    return render(request, T + "archive_confirm.html", {"course": course})


# --- Enrolment ------------------------------------------------------------------------------------

def _students_page(request, course, *, enrol_form=None, csv_form=None):
    find = request.GET.get("find", "").strip()[:100]
    matches, more = find_students(course, find) if not course.is_archived else ([], False)
    context = {"course": course, "find": find, "matches": matches, "more_matches": more,
               "enrol_form": enrol_form or EnrolStudentForm(course)}
    if request.htmx and "find" in request.GET:  # the search box, as the teacher types
        return render(request, T + "_enrol_matches.html", context)
    enrolments = course.enrolments.select_related("student", "section").order_by("student__full_name")
    return render(request, T + "students.html", {
        **context, "enrolments": enrolments, "csv_form": csv_form or EnrolCsvForm(course)})


@teacher_only
def course_students(request, course_id):
    return _students_page(request, access_course_as_teacher(request.user, course_id))


@teacher_only
@require_POST
def course_enrol(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    form = EnrolStudentForm(course, request.POST)
    if (enrolment := _saved(request, form)) is not None:
        messages.success(request, f"Enrolled {enrolment.student}.")
        return redirect("teacher_students", course.pk)
    return _students_page(request, course, enrol_form=form)


@teacher_only
@require_POST
def course_import(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    form = EnrolCsvForm(course, request.POST, request.FILES)
    result = _saved(request, form)
    if result is not None and result.ok:
        messages.success(request, f"Enrolled {len(result.enrolled)} student{'s' * (len(result.enrolled) != 1)} "
                                  f"from the file.")
        return redirect("teacher_students", course.pk)
    return _students_page(request, course, csv_form=form)


@teacher_only
def course_unenrol(request, course_id, student_id):
    course = access_course_as_teacher(request.user, course_id)
    enrolment = get_object_or_404(course.enrolments.select_related("student"), student_id=student_id)
    if request.method == "POST":
        do_unenrol_student(course, enrolment.student, acting_user=request.user)
        messages.success(request, f"{enrolment.student} is no longer enrolled. Their work and grades are kept.")
        return redirect("teacher_students", course.pk)
    return render(request, T + "unenrol_confirm.html", {"course": course, "enrolment": enrolment})


# --- Rubrics --------------------------------------------------------------------------------------

@teacher_only
def rubric_list(request):
    return render(request, T + "rubric_list.html", {"rubrics": dashboard.rubrics()})


@teacher_only
def rubric_create(request):
    form = RubricForm(request.POST or None)
    if (rubric := _saved(request, form)) is not None:
        messages.success(request, f"Created the rubric “{rubric}”.")
        return redirect("teacher_rubric", rubric.pk)
    return render(request, T + "rubric_form.html", {"form": form})


@teacher_only
def rubric_detail(request, rubric_id):
    rubric = get_object_or_404(Rubric.objects.select_related("created_by").prefetch_related("criteria__levels"),
                               pk=rubric_id)
    return render(request, T + "rubric_detail.html", {"rubric": rubric})


# --- Assignments ----------------------------------------------------------------------------------

@teacher_only
def assignment_create(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    form = AssignmentForm(course, request.POST or None)
    if (assignment := _saved(request, form)) is not None:
        state = "published" if assignment.published_at else "saved as a draft"
        if assignment.peer_review_enabled:  # the settings page is the peer-review module's (urls_peer.py)
            messages.success(request, f"“{assignment}” is {state}. Now choose how peer review works.")
            return redirect("teacher_peer_review", assignment.pk)
        messages.success(request, f"“{assignment}” is {state}.")
        return redirect("teacher_assignment", assignment.pk)
    return render(request, T + "assignment_form.html", {"course": course, "form": form})


@teacher_only
def assignment_edit(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    form = AssignmentEditForm(assignment, request.POST or None)
    if _saved(request, form) is not None:
        messages.success(request, f"Saved the changes to “{assignment.title}”.")
        return redirect("teacher_assignment", assignment.pk)
    return render(request, T + "assignment_form.html", {"course": assignment.course, "form": form,
                                                        "assignment": assignment})


@teacher_only
def assignment_detail(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    return render(request, T + "assignment_detail.html", {
        "assignment": assignment, "course": assignment.course, "stages": assignment.stages.all(),
        "peer_review": dashboard.peer_review_settings(assignment),
        "peer_review_url": reverse("teacher_peer_review", args=[assignment.pk])})


@teacher_only
@require_POST
def assignment_publish(request, assignment_id):
    assignment = access_assignment_as_teacher(request.user, assignment_id)
    if assignment.published_at is None:
        do_publish_assignment(assignment, acting_user=request.user)
        messages.success(request, f"“{assignment}” is published: students can see it now.")
    return redirect("teacher_assignment", assignment.pk)


# --- Gradebook ------------------------------------------------------------------------------------

@teacher_only
def course_gradebook(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    book = gradebook.build_gradebook(course)
    return render(request, T + "gradebook.html", {"course": course, "book": book, "marks": gradebook.MARKS,
                                                   "table": gradebook.table_html(book)})


@teacher_only
def course_gradebook_csv(request, course_id):
    course = access_course_as_teacher(request.user, course_id)
    response = HttpResponse(gradebook.csv_text(gradebook.build_gradebook(course)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.pk}.csv"'
    return response


# --- Review ---------------------------------------------------------------------------------------

def _review_page(request, submission, *, number=None, partial=None, notice="", **failed):
    """The review page, or for htmx just the region that changed ("annotated" or "feedback")."""
    params = request.GET if request.method == "GET" else request.POST
    context = review.review_context(submission, revision=number or params.get("revision"),
                                    compare=params.get("compare"), show_all=params.get("history") == "all")
    context.update(
        comment_form=failed.get("comment_form") or CommentForm(submission, context["shown"], context["text"]),
        grade_form=failed.get("grade_form") or GradeForm(submission, rubric=context["rubric"]),
        rubric_form=failed.get("rubric_form") or rubric_score_form(submission, context["rubric"]),
        notice=notice)
    template = f"{T}_{partial}.html" if partial and request.htmx else T + "review.html"
    if template == T + "review.html":  # writing support's panels (integrity signals, the assistant's log)
        from assist.review import teacher_log
        from integrity.review import teacher_panel

        context.update(teacher_panel(submission, request.user), assist_log=teacher_log(submission))
    return render(request, template, context)


def _after_change(request, submission, number, partial, message, **failed):
    """After a review-page POST: the changed region for htmx, else back to the page (errors shown in place)."""
    if failed or request.htmx:
        return _review_page(request, submission, number=number, partial=partial, notice="" if failed else message,
                            **failed)
    messages.success(request, message)
    anchor = "#comments" if partial == "annotated" else "#feedback"
    return redirect(f"{reverse('teacher_review', args=[submission.pk])}?revision={number}{anchor}")


@teacher_only
def submission_review(request, submission_id):
    from privacy.audit import log_access

    submission = access_submission_as_teacher(request.user, submission_id)
    log_access(submission, acting_user=request.user)  # staff opening a student's work is recorded
    return _review_page(request, submission)


@teacher_only
@require_POST
def comment_add(request, submission_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    number = review.shown_revision(submission, request.POST.get("revision"))
    form = CommentForm(submission, number, review.text_of(submission, number), request.POST)
    failed = {"comment_form": form} if _saved(request, form) is None else {}
    return _after_change(request, submission, number, "annotated", "Comment added.", **failed)


@teacher_only
@require_POST
def comment_delete(request, submission_id, comment_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    do_delete_comment(get_object_or_404(submission.comments, pk=comment_id), acting_user=request.user)
    number = review.shown_revision(submission, request.POST.get("revision"))
    return _after_change(request, submission, number, "annotated", "Comment deleted.")


@teacher_only
@require_POST
def rubric_score(request, submission_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    form = rubric_score_form(submission, review.rubric_state(submission), request.POST)
    if form is None:
        raise Http404("This assignment has no rubric.")
    failed = {"rubric_form": form} if _saved(request, form) is None else {}
    number = review.shown_revision(submission, request.POST.get("revision"))
    return _after_change(request, submission, number, "feedback", "Rubric scores saved.", **failed)


@teacher_only
@require_POST
def grade(request, submission_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    form = GradeForm(submission, request.POST)
    failed = {"grade_form": form} if _saved(request, form) is None else {}
    number = review.shown_revision(submission, request.POST.get("revision"))
    return _after_change(request, submission, number, "feedback", "Grade and comment saved.", **failed)


@teacher_only
@require_POST
def release(request, submission_id):
    submission = access_submission_as_teacher(request.user, submission_id)
    number = review.shown_revision(submission, request.POST.get("revision"))
    if not review.can_release(submission):
        refused = "Nothing to release: feedback is released once the student has submitted work."
        if request.htmx:
            return _review_page(request, submission, number=number, partial="feedback", notice=refused)
        messages.error(request, refused)
        return redirect("teacher_review", submission.pk)
    do_release_feedback(submission, acting_user=request.user)
    return _after_change(request, submission, number, "feedback", "Feedback released: the student can see it now.")
