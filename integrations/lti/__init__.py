"""LTI 1.3 tool (LTI Advantage) for Canvas, Moodle, Blackboard and D2L. Design note.

What can go wrong, and what stops it:
- Another institution's launch: every registration, state, person and link lives in the
  institution's schema, looked up on the domain the request arrived on; a token for Northside's
  registration finds nothing at Riverside (tests/integrations/lti/test_isolation.py).
- A forged, replayed or stolen launch: validation.py (every check listed there and in docs/lti.md).
  The state row is locked and marked used before anything else happens.
- Account takeover through an LMS: email links only when the registration trusts the LMS's
  addresses; admin roles are never signed in through LTI (two-factor would be skipped).
- Lost grades: a GradePassback row is written in the same transaction that releases the grade,
  and the job retries from the row; failures are shown to the teacher.
- Secrets: the tool's private key is encrypted at rest (keys.py) and never shown or logged; tokens
  are never logged (only the refusal code).

Adding a model: declare it in privacy/registry.py; if it holds a person, say how it is erased.
Adding a claim we act on: read it only from `VerifiedToken.claims` (after every check), never from
the unverified token. Adding an outbound call: pass the URL through outbound.check_outbound_url.
"""
