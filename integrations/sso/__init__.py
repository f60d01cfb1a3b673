"""Single sign-on: SAML 2.0 (allauth on python3-saml) and OpenID Connect, per institution."""
