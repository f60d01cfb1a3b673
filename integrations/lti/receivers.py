from django.conf import settings


def queue_passback(sender, submission, **kwargs):
    """coursework's grade_released: post the score to the LMS line item(s) of the assignment, if any."""
    if not settings.SCRIBETREE_LTI_ENABLED:
        return
    from integrations.lti.actions import do_queue_grade_passback

    do_queue_grade_passback(submission)
