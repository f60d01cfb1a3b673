"""Signals other apps listen to (integrations.lti posts released grades to the LMS)."""

from django.dispatch import Signal

# Sent inside the action's transaction when a grade becomes visible to the student: on release, and
# when a released grade is changed. Receivers send their work after commit. Arg: submission.
grade_released = Signal()
