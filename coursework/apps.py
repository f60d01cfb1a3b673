from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "coursework"
    verbose_name = "Coursework"

    def ready(self):
        from auditlog.registry import auditlog

        from coursework import freshness
        from coursework import models as m

        freshness.connect()

        # Grades, feedback and who-is-enrolled-where are audited with their actor. Revisions are not:
        # they are the student's own text, kept as history already, and would double it in the log.
        auditlog.register(m.Course, m2m_fields={"teachers"})
        auditlog.register(m.Enrolment)
        auditlog.register(m.Assignment)
        auditlog.register(m.Submission, include_fields=["grade", "general_comment", "feedback_released_at", "status"])
        auditlog.register(m.Comment)
        auditlog.register(m.RubricScore)
        auditlog.register(m.PeerReview, include_fields=["hidden_at", "hidden_reason", "helpfulness", "submitted_at"])
        auditlog.register(m.Rubric)
