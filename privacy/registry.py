"""The personal-data registry: every model, what personal data it holds and what each right does.

Design note
- Every model Django knows (ours and third-party) is declared here; tests/privacy/test_registry.py
  fails on any model that is not. Adding a model or a field that holds personal data: declare it
  here in the same commit, with its owner path (how to reach the person), purpose, lawful basis,
  retention category and the rule for export and erasure.
- Rules: EXPORT_AND_ERASE (export it, delete it), ANONYMISE (export it, keep the row without the
  person), KEEP (kept with the stated legal reason), NONE (holds no personal data).
- Issue #4 builds export/erasure/retention on top of these declarations.
"""

from dataclasses import dataclass, field

ERASE = "erase"
ANONYMISE = "anonymise"
KEEP = "keep"
NONE = "none"


@dataclass(frozen=True)
class Declaration:
    model: str  # "app_label.ModelName"
    personal_fields: tuple = ()
    owner_path: str = ""  # lookup from this model to accounts.User, "" when not personal
    purpose: str = ""
    lawful_basis: str = ""
    retention: str = ""
    on_erasure: str = NONE
    keep_reason: str = ""
    exported: bool = False
    notes: str = field(default="", compare=False)


REGISTRY = {
    d.model: d
    for d in [
        # --- People -----------------------------------------------------------------------------
        Declaration("accounts.User", ("email", "full_name", "preferred_name", "student_number", "last_login"),
                    owner_path="", purpose="Identify the person and let them sign in",
                    lawful_basis="Public task / contract with the institution", retention="account",
                    on_erasure=ANONYMISE, exported=True,
                    notes="Row kept as a tombstone so foreign keys and grades stay consistent."),
        Declaration("account.EmailAddress", ("email",), owner_path="user", purpose="Sign-in address",
                    lawful_basis="Contract", retention="account", on_erasure=ERASE, exported=True),
        Declaration("account.EmailConfirmation", ("email_address",), owner_path="email_address__user",
                    purpose="Confirm an address", lawful_basis="Contract", retention="transient",
                    on_erasure=ERASE),
        Declaration("mfa.Authenticator", ("data",), owner_path="user", purpose="Two-factor sign-in",
                    lawful_basis="Security of processing", retention="account", on_erasure=ERASE),
        Declaration("usersessions.UserSession", ("ip", "user_agent"), owner_path="user",
                    purpose="Show and end a person's sessions", lawful_basis="Security of processing",
                    retention="transient", on_erasure=ERASE, exported=True),
        Declaration("sessions.Session", ("session_data",), owner_path="",
                    purpose="Keep a person signed in", lawful_basis="Contract", retention="transient",
                    on_erasure=ERASE, notes="Ended through usersessions.UserSession."),
        Declaration("auth.Group"),
        Declaration("auth.Permission"),
        Declaration("contenttypes.ContentType"),
        # --- Audit --------------------------------------------------------------------------------
        Declaration("auditlog.LogEntry", ("actor", "actor_email", "changes", "remote_addr", "object_repr"),
                    owner_path="actor", purpose="Prove who changed grades and personal data",
                    lawful_basis="Legal obligation (accountability)", retention="audit",
                    on_erasure=ANONYMISE, keep_reason="Audit rows are kept; the person is pseudonymised.",
                    exported=True),
        Declaration("admin.LogEntry", ("user", "object_repr", "change_message"), owner_path="user",
                    purpose="Admin change history", lawful_basis="Legitimate interest", retention="audit",
                    on_erasure=ANONYMISE),
        # --- Coursework ---------------------------------------------------------------------------
        Declaration("coursework.Course", notes="A class, not a person; teachers are linked through the M2M."),
        Declaration("coursework.Section"),
        Declaration("coursework.Enrolment", ("student", "section"), owner_path="student",
                    purpose="Know who is in which class", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.Rubric", ("created_by",), owner_path="created_by", purpose="Reusable marking scheme",
                    lawful_basis="Public task (education)", retention="institution", on_erasure=ANONYMISE),
        Declaration("coursework.RubricCriterion"),
        Declaration("coursework.RubricLevel"),
        Declaration("coursework.Assignment"),
        Declaration("coursework.Stage"),
        Declaration("coursework.PeerReviewSettings"),
        Declaration("coursework.Submission", ("text", "grade", "general_comment", "word_count"), owner_path="student",
                    purpose="The student's work, its assessment and feedback",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.Revision", ("data", "active_seconds", "typed_chars", "pasted_chars", "paste_sizes"),
                    owner_path="submission__student", purpose="Revision history and writing-process evidence",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.StageSubmission", ("reflection",), owner_path="submission__student",
                    purpose="What was submitted when, with the student's reflection",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.Comment", ("body", "quote", "author"), owner_path="submission__student",
                    purpose="Teacher feedback on the student's work", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    notes="Also the author's (teacher's) data: on the teacher's erasure the author is anonymised."),
        Declaration("coursework.RubricScore", ("level", "comment"), owner_path="submission__student",
                    purpose="Assessment against the rubric", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.PeerReviewAllocation", ("reviewer",), owner_path="reviewer",
                    purpose="Who reviews whose draft", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True),
        Declaration("coursework.PeerReview", ("body", "answers", "helpfulness"), owner_path="allocation__reviewer",
                    purpose="A student's review of a classmate's draft", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    notes="Shown to the reviewed student, anonymised when the assignment says so."),
        # --- LMS integration (LTI 1.3) --------------------------------------------------------------
        Declaration("integrations_lti.ToolKey", notes="The tool's own key pair; private key encrypted at rest."),
        Declaration("integrations_lti.PlatformRegistration", notes="An LMS's configuration, not a person."),
        Declaration("integrations_lti.Deployment"),
        Declaration("integrations_lti.LoginState", notes="Random state/nonce of a login attempt; no person. "
                    "Deleted after a day (integrations.lti.tasks.sweep_lti)."),
        Declaration("integrations_lti.LtiIdentity", ("sub", "user", "linked_by_email", "last_launch_at"),
                    owner_path="user", purpose="Recognise a person arriving from the institution's LMS",
                    lawful_basis="Public task (education)", retention="account", on_erasure=ERASE, exported=True),
        Declaration("integrations_lti.LtiContext", notes="An LMS course mapped to a Course."),
        Declaration("integrations_lti.LtiResourceLink", notes="An LMS link mapped to an Assignment."),
        Declaration("integrations_lti.LaunchTicket", ("user",), owner_path="user",
                    purpose="Hand a verified LMS launch to a first-party window", lawful_basis="Contract",
                    retention="transient", on_erasure=ERASE, notes="Valid 10 minutes, deleted after a day."),
        Declaration("integrations_lti.RosterSync", ("requested_by",), owner_path="requested_by",
                    purpose="Record of a class-list update from the LMS", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ANONYMISE),
        Declaration("integrations_lti.GradePassback", ("lti_user_id", "score_given", "sent_score", "last_error"),
                    owner_path="submission__student", purpose="Send the student's released grade to the LMS",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True),
        # --- Platform (public schema) -------------------------------------------------------------
        Declaration("tenants.Institution", notes="An organisation, not a person."),
        Declaration("tenants.Domain"),
        Declaration("tenants.ProvisioningJob", ("admin_email", "admin_name"), owner_path="",
                    purpose="Set up an institution and its first admin", lawful_basis="Contract",
                    retention="platform", on_erasure=ANONYMISE,
                    notes="Held in public; the admin's account itself lives in the institution."),
    ]
}


def undeclared_models(models):
    """Labels of the given models that the registry does not declare."""
    return sorted({m._meta.label for m in models} - set(REGISTRY))
