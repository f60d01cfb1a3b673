"""Set a course up the way a teacher's and a student's first launches do (through the real launch)."""

from integrations.lti.models import LtiIdentity, LtiResourceLink


def set_up_linked_assignment(case, lineitem_suffix="/31"):
    """Tom (LMS teacher) and Lena (LMS student) launch link-1; returns (link, teacher, student)."""
    lineitem = case.platform.lineitems_url + lineitem_suffix
    case.launch_teacher(lineitem=lineitem)
    case.launch(sub="lms-student-1", name="Lena Learner", lineitem=lineitem)
    link = LtiResourceLink.objects.select_related("assignment", "context").get(resource_link_id="link-1")
    teacher = LtiIdentity.objects.get(sub="lms-teacher-1").user
    student = LtiIdentity.objects.get(sub="lms-student-1").user
    case.platform.tool_jwks = case.browser().get("/lti/jwks.json").json()
    return link, teacher, student
