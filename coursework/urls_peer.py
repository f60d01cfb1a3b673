"""Coursework pages for the peer side (see coursework/views_peer.py)."""

from django.urls import path

from coursework import views_peer

urlpatterns = [
    path("peer-review/", views_peer.student_list, name="peer_review_list"),
    path("peer-review/<int:allocation_id>/", views_peer.write_review, name="peer_review_write"),
    path("peer-review/received/<int:review_id>/", views_peer.received_review, name="peer_review_received"),
    path("teach/assignments/<int:assignment_id>/peer-review/", views_peer.teacher_settings,
         name="teacher_peer_review"),
    path("teach/assignments/<int:assignment_id>/peer-review/allocate/", views_peer.teacher_allocate,
         name="teacher_peer_review_allocate"),
    path("teach/assignments/<int:assignment_id>/peer-review/allocate-manually/", views_peer.teacher_allocate_manually,
         name="teacher_peer_review_allocate_manually"),
    path("teach/assignments/<int:assignment_id>/peer-review/reviews/<int:review_id>/", views_peer.teacher_review,
         name="teacher_peer_review_review"),
]
