"""SCIM 2.0 provisioning server (RFC 7643/7644), per institution, bearer-token authenticated."""
