"""Coursework pages for teachers (see coursework/views_teacher.py).

The peer-review settings page, /teach/assignments/<id>/peer-review/, is in coursework/urls_peer.py.
"""

from django.urls import path

from coursework import views_teacher as views

urlpatterns = [
    path("teacher/", views.home, name="teacher_home"),
    path("teach/courses/new/", views.course_create, name="teacher_course_create"),
    path("teach/courses/<int:course_id>/", views.course_dashboard, name="teacher_course"),
    path("teach/courses/<int:course_id>/edit/", views.course_edit, name="teacher_course_edit"),
    path("teach/courses/<int:course_id>/archive/", views.course_archive, name="teacher_course_archive"),
    path("teach/courses/<int:course_id>/students/", views.course_students, name="teacher_students"),
    path("teach/courses/<int:course_id>/students/enrol/", views.course_enrol, name="teacher_enrol"),
    path("teach/courses/<int:course_id>/students/import/", views.course_import, name="teacher_import"),
    path("teach/courses/<int:course_id>/students/<int:student_id>/unenrol/", views.course_unenrol,
         name="teacher_unenrol"),
    path("teach/courses/<int:course_id>/assignments/new/", views.assignment_create, name="teacher_assignment_create"),
    path("teach/courses/<int:course_id>/gradebook/", views.course_gradebook, name="teacher_gradebook"),
    path("teach/courses/<int:course_id>/gradebook.csv", views.course_gradebook_csv, name="teacher_gradebook_csv"),
    path("teach/assignments/<int:assignment_id>/", views.assignment_detail, name="teacher_assignment"),
    path("teach/assignments/<int:assignment_id>/edit/", views.assignment_edit, name="teacher_assignment_edit"),
    path("teach/assignments/<int:assignment_id>/publish/", views.assignment_publish, name="teacher_assignment_publish"),
    path("teach/rubrics/", views.rubric_list, name="teacher_rubrics"),
    path("teach/rubrics/new/", views.rubric_create, name="teacher_rubric_create"),
    path("teach/rubrics/<int:rubric_id>/", views.rubric_detail, name="teacher_rubric"),
    path("teach/submissions/<int:submission_id>/", views.submission_review, name="teacher_review"),
    path("teach/submissions/<int:submission_id>/comments/", views.comment_add, name="teacher_comment_add"),
    path("teach/submissions/<int:submission_id>/comments/<int:comment_id>/delete/", views.comment_delete,
         name="teacher_comment_delete"),
    path("teach/submissions/<int:submission_id>/rubric/", views.rubric_score, name="teacher_rubric_score"),
    path("teach/submissions/<int:submission_id>/grade/", views.grade, name="teacher_grade"),
    path("teach/submissions/<int:submission_id>/release/", views.release, name="teacher_release"),
]
