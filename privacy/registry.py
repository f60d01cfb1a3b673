"""The personal-data registry: every model, what personal data it holds and what each right does.

Design note
- Every model Django knows (ours and third-party) is declared here; tests/privacy/test_registry.py
  fails on any model that is not. Adding a model or a field that holds personal data: declare it
  here in the same commit, with its owner path (how to reach the person), purpose, lawful basis,
  retention category and the rule for export and erasure.
- Rules: EXPORT_AND_ERASE (export it, delete it), ANONYMISE (export it, keep the row without the
  person), KEEP (kept with the stated legal reason), NONE (holds no personal data).
- Export (privacy/export.py) writes every `exported` model's rows reached through `owner_path`
  (and `extra_owner_paths`). Erasure (privacy/erasure.py) deletes every ERASE model's rows reached
  that way, children first, in batched SQL; ANONYMISE models get `anonymise_fields` cleared;
  `course_path` lets a legal hold on a course keep the rows of that course.
- New fields below all have defaults, so declarations written for the first shape still work.
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
    # Other lookups that also reach the person (e.g. a peer review allocation: the reviewer, and the
    # author of the reviewed draft). Erasure and export follow all of them.
    extra_owner_paths: tuple = ()
    # Lookup to coursework.Course, so a legal hold on a course (or its retention) covers the row.
    course_path: str = ""
    # ANONYMISE: the fields cleared (null when nullable, "" otherwise) while the row is kept.
    anonymise_fields: tuple = ()

    @property
    def owner_paths(self):
        return tuple(p for p in (self.owner_path, *self.extra_owner_paths) if p)


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
                    on_erasure=ANONYMISE, anonymise_fields=("object_repr", "change_message")),
        # --- Coursework ---------------------------------------------------------------------------
        Declaration("coursework.Course", notes="A class, not a person; teachers are linked through the M2M."),
        Declaration("coursework.Section"),
        Declaration("coursework.Enrolment", ("student", "section"), owner_path="student",
                    purpose="Know who is in which class", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True, course_path="course"),
        Declaration("coursework.Rubric", ("created_by",), owner_path="created_by", purpose="Reusable marking scheme",
                    lawful_basis="Public task (education)", retention="institution", on_erasure=ANONYMISE,
                    anonymise_fields=("created_by",)),
        Declaration("coursework.RubricCriterion"),
        Declaration("coursework.RubricLevel"),
        Declaration("coursework.Assignment"),
        Declaration("coursework.Stage"),
        Declaration("coursework.PeerReviewSettings"),
        Declaration("coursework.Submission", ("text", "grade", "general_comment", "word_count"), owner_path="student",
                    purpose="The student's work, its assessment and feedback",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="assignment__course"),
        Declaration("coursework.Revision", ("data",),
                    owner_path="submission__student", purpose="Revision history of the student's work",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="submission__assignment__course"),
        Declaration("coursework.ProcessEvent", ("active_seconds", "typed_chars", "pasted_chars", "paste_sizes"),
                    owner_path="revision__submission__student",
                    purpose="Writing-process evidence (time spent, typed vs pasted) for integrity review",
                    lawful_basis="Public task (education)", retention="process", on_erasure=ERASE, exported=True,
                    course_path="revision__submission__assignment__course"),
        Declaration("coursework.StageSubmission", ("reflection",), owner_path="submission__student",
                    purpose="What was submitted when, with the student's reflection",
                    lawful_basis="Public task (education)", retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="submission__assignment__course"),
        Declaration("coursework.Comment", ("body", "quote", "author"), owner_path="submission__student",
                    purpose="Teacher feedback on the student's work", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="submission__assignment__course",
                    notes="Also the author's (teacher's) data: on the teacher's erasure the author is anonymised."),
        Declaration("coursework.RubricScore", ("level", "comment"), owner_path="submission__student",
                    purpose="Assessment against the rubric", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="submission__assignment__course"),
        Declaration("coursework.PeerReviewAllocation", ("reviewer",), owner_path="reviewer",
                    purpose="Who reviews whose draft", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True, course_path="assignment__course",
                    extra_owner_paths=("submission__student",),
                    notes="Erasing the author of the reviewed draft removes its allocations (and their reviews) too."),
        Declaration("coursework.PeerReview", ("body", "answers", "helpfulness"), owner_path="allocation__reviewer",
                    purpose="A student's review of a classmate's draft", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="allocation__assignment__course",
                    extra_owner_paths=("allocation__submission__student",),
                    notes="Shown to the reviewed student, anonymised when the assignment says so."),
        # --- Provisioning (SCIM, OneRoster) ---------------------------------------------------
        Declaration("integrations_scim.ScimToken", ("created_by",), owner_path="created_by",
                    purpose="Let the institution's identity provider provision people",
                    lawful_basis="Legitimate interest (account administration)", retention="institution",
                    on_erasure=ANONYMISE, notes="Only a SHA-256 of the token is stored; the issuer is the actor."),
        Declaration("integrations_scim.ScimUser", ("user_name", "external_id", "given_name", "family_name"),
                    owner_path="user", purpose="Match a person with the identity provider's record",
                    lawful_basis="Public task / contract with the institution", retention="account",
                    on_erasure=ERASE, exported=True),
        Declaration("integrations_oneroster.RosterImport", ("data", "plan", "created_by", "confirmed_by"),
                    owner_path="", purpose="Import the roster from the student information system, after review",
                    lawful_basis="Public task (education)", retention="transient", on_erasure=ANONYMISE,
                    notes="The zip (data) is emptied once the import is done or discarded; the plan lists "
                          "names and emails of many people, so the row is kept only as long as the audit needs it."),
        Declaration("integrations_oneroster.RosterLink", ("sourced_id", "object_id"), owner_path="",
                    purpose="Match the SIS's ids to our people, courses and sections on the next import",
                    lawful_basis="Public task (education)", retention="account", on_erasure=ERASE,
                    notes="A user link's object_id is the person's id: erase it with the person (kind=user)."),
        # --- Single sign-on (integrations/sso) ----------------------------------------------------
        Declaration("socialaccount.SocialAccount", ("uid", "extra_data"), owner_path="user",
                    purpose="Recognise a person signing in through the institution's identity provider",
                    lawful_basis="Public task / contract with the institution", retention="account",
                    on_erasure=ERASE, exported=True,
                    notes="extra_data holds the attributes the IdP sent (names, email, affiliation)."),
        Declaration("socialaccount.SocialApp", notes="Unused: apps are built from integrations_sso rows."),
        Declaration("socialaccount.SocialToken", ("token", "token_secret"), owner_path="account__user",
                    purpose="Not stored (SOCIALACCOUNT_STORE_TOKENS is off)", lawful_basis="Contract",
                    retention="transient", on_erasure=ERASE),
        Declaration("integrations_sso.SamlIdentityProvider", notes="The institution's IdP settings."),
        Declaration("integrations_sso.SamlAssertionSeen",
                    notes="Assertion ids (random, not linked to a person) until they expire; replay guard."),
        Declaration("integrations_sso.OidcProvider", notes="Client id/secret of the institution's app."),
        # --- Privacy (this app) ----------------------------------------------------------------------
        Declaration("privacy.PrivacyRequest", ("subject", "filed_by", "details", "decision_note", "outcome"),
                    owner_path="subject", purpose="Answer the person's requests about their data",
                    lawful_basis="Legal obligation (GDPR Art. 12-22, FERPA, CCPA)", retention="requests",
                    on_erasure=KEEP, exported=True,
                    keep_reason="Proof that the request was answered; the subject is an anonymised tombstone."),
        Declaration("privacy.RequestComment", ("body",), owner_path="request__subject",
                    purpose="The privacy office's handling notes", lawful_basis="Legal obligation",
                    retention="requests", on_erasure=KEEP, exported=True,
                    keep_reason="Part of the request's record; written by staff, not about the content."),
        Declaration("privacy.PrivacyJob", ("scratch", "certificate", "file_name"), owner_path="request__subject",
                    purpose="Carry out an export or erasure", lawful_basis="Legal obligation",
                    retention="requests", on_erasure=KEEP,
                    keep_reason="The erasure certificate is the proof of erasure; it lists counts, never content. "
                                "Export files are deleted by the erasure itself."),
        Declaration("privacy.PrivacyNotice", ("created_by",), owner_path="created_by",
                    purpose="The institution's privacy notice versions", lawful_basis="Legal obligation",
                    retention="institution", on_erasure=ANONYMISE, anonymise_fields=("created_by",)),
        Declaration("privacy.NoticeAcceptance", ("person", "accepted_at"), owner_path="person",
                    purpose="Proof the person was shown the notice", lawful_basis="Legal obligation",
                    retention="account", on_erasure=ERASE, exported=True),
        Declaration("privacy.Consent", ("subject", "answer", "given_by"), owner_path="subject",
                    extra_owner_paths=("given_by",), purpose="Record consent per purpose",
                    lawful_basis="Consent (GDPR Art. 7: proof of consent)", retention="account",
                    on_erasure=ERASE, exported=True,
                    notes="When a guardian is erased, consents they gave for a ward are erased too: "
                          "the ward's answer falls back to 'not answered'."),
        Declaration("privacy.GuardianLink", ("guardian", "student", "relationship", "student_birth_date"),
                    owner_path="student", extra_owner_paths=("guardian",),
                    purpose="Let a guardian act for a young student",
                    lawful_basis="Legal obligation (parental consent)",
                    retention="account", on_erasure=ERASE, exported=True),
        Declaration("privacy.LegalHold", ("subject", "reason"), owner_path="subject",
                    purpose="Keep records needed for legal claims", lawful_basis="Legal obligation",
                    retention="legal_hold", on_erasure=KEEP, course_path="course",
                    keep_reason="A legal hold outlives the erasure it blocks."),
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
        # --- Provisioning (SCIM, OneRoster) ---------------------------------------------------
        Declaration("integrations_scim.ScimToken", ("created_by",), owner_path="created_by",
                    purpose="Let the institution's identity provider provision people",
                    lawful_basis="Legitimate interest (account administration)", retention="institution",
                    on_erasure=ANONYMISE, notes="Only a SHA-256 of the token is stored; the issuer is the actor."),
        Declaration("integrations_scim.ScimUser", ("user_name", "external_id", "given_name", "family_name"),
                    owner_path="user", purpose="Match a person with the identity provider's record",
                    lawful_basis="Public task / contract with the institution", retention="account",
                    on_erasure=ERASE, exported=True),
        Declaration("integrations_oneroster.RosterImport", ("data", "plan", "created_by", "confirmed_by"),
                    owner_path="", purpose="Import the roster from the student information system, after review",
                    lawful_basis="Public task (education)", retention="transient", on_erasure=ANONYMISE,
                    notes="The zip (data) is emptied once the import is done or discarded; the plan lists "
                          "names and emails of many people, so the row is kept only as long as the audit needs it."),
        Declaration("integrations_oneroster.RosterLink", ("sourced_id", "object_id"), owner_path="",
                    purpose="Match the SIS's ids to our people, courses and sections on the next import",
                    lawful_basis="Public task (education)", retention="account", on_erasure=ERASE,
                    notes="A user link's object_id is the person's id: erase it with the person (kind=user)."),
        # --- Writing support: assistant and integrity signals (issue 7) ----------------------------
        Declaration("assist.AssistPolicy", notes="The institution's ceiling and provider; the API key is sealed."),
        Declaration("assist.StageAssist", notes="What the assistant may do at a stage; set by the teacher."),
        Declaration("assist.Unlock", ("reflection", "accepted", "reasons"), owner_path="submission__student",
                    purpose="Gate the writing assistant behind the student's own reflection",
                    lawful_basis="Consent (AI assistance)", retention="coursework", on_erasure=ERASE,
                    exported=True, course_path="submission__assignment__course"),
        Declaration("assist.Exchange", ("redacted_text", "answer", "decisions"), owner_path="submission__student",
                    purpose="Log of every exchange with the writing assistant, shown to student and teacher",
                    lawful_basis="Consent (AI assistance)", retention="coursework", on_erasure=ERASE,
                    exported=True, course_path="submission__assignment__course",
                    notes="The text is stored redacted (names, e-mails, ids replaced), the answer restored."),
        Declaration("integrity.IntegrityJob", ("error",), owner_path="submission__student",
                    purpose="Run the integrity check of a submitted revision", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, course_path="submission__assignment__course"),
        Declaration("integrity.Signature", ("minhash", "bands"), owner_path="submission__student",
                    purpose="Compare submissions for similarity within the institution",
                    lawful_basis="Public task (education: academic integrity)", retention="coursework",
                    on_erasure=ERASE, course_path="submission__assignment__course",
                    notes="A hash summary of the text; not exported (it says nothing readable)."),
        Declaration("integrity.SimilarityMatch", ("passages", "matched_words", "share"),
                    owner_path="submission__student", extra_owner_paths=("other__student",),
                    purpose="Passages a submission shares with another", lawful_basis="Public task (education)",
                    retention="coursework", on_erasure=ERASE, exported=True,
                    course_path="submission__assignment__course",
                    notes="Offsets only, never copied text; erased with either student."),
        Declaration("integrity.Observation", ("text", "evidence", "notable"), owner_path="submission__student",
                    purpose="Plain observations about how the work was written, shown to teacher and student",
                    lawful_basis="Public task (education: academic integrity)", retention="coursework",
                    on_erasure=ERASE, exported=True, course_path="submission__assignment__course"),
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
