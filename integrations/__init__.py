"""Integrations with institutions' systems: one Django app per integration (sso, scim, oneroster, lti)."""
