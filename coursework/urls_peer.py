"""Coursework pages for the peer side (see coursework/views_peer.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
