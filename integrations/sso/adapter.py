"""allauth's social-account adapter, fed from the institution's own SSO rows.

- Apps come from the current schema's SamlIdentityProvider / OidcProvider rows (never from
  settings.py or the shared SocialApp table), so each institution sees exactly its own: one SAML
  app at most, which also keeps allauth's `get_app("saml")` from ever raising
  MultipleObjectsReturned when many institutions have SAML (allauth #3779).
- `pre_social_login` is where a verified sign-in meets our rules: per-account rate limit, the
  institution's email domains (OIDC), linking, just-in-time creation (integrations/sso/
  provisioning.py, through accounts.actions) and the RelayState/next rule (own relative paths).
- allauth never creates people itself (`is_open_for_signup` is False).
"""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.db import connection
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_tenants.utils import get_public_schema_name

from integrations.sso import provisioning
from integrations.sso.errors import logger, refuse
from integrations.sso.models import OidcProvider, SamlIdentityProvider
from integrations.sso.saml import app_settings as saml_app_settings

ENTRA_PROVIDER_ID = "entra"
ENTRA_SERVER = "https://login.microsoftonline.com/{tenant}/v2.0"


def is_own_relative_path(url):
    """Only "/path" on this host: no scheme, no host, no "//host" or "/\\host" tricks."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)


def _build_apps():
    apps = []
    saml = SamlIdentityProvider.objects.filter(enabled=True).first()
    if saml and saml.is_complete:
        apps.append(SocialApp(provider="saml", name=saml.name, client_id=connection.tenant.slug,
                              settings=saml_app_settings(saml)))
    for oidc in OidcProvider.objects.filter(enabled=True).order_by("kind"):
        common = {"verified_email": oidc.domains, "email_authentication": True, "email_domains": oidc.domains}
        if oidc.kind == OidcProvider.Kind.GOOGLE:
            apps.append(SocialApp(provider="google", name="Google", client_id=oidc.client_id,
                                  secret=oidc.secret,
                                  settings={**common, "auth_params": {"hd": oidc.domains[0]}}))
        else:
            apps.append(SocialApp(
                provider="openid_connect", provider_id=ENTRA_PROVIDER_ID, name="Microsoft",
                client_id=oidc.client_id, secret=oidc.secret,
                settings={**common, "server_url": ENTRA_SERVER.format(tenant=oidc.entra_tenant),
                          "fetch_userinfo": False}))
    return apps


def institution_apps(request):
    """This institution's apps, built once per request (the sign-in page asks several times)."""
    if connection.schema_name == get_public_schema_name():
        return []  # platform operators sign in with a password (and TOTP) only
    cached = getattr(request, "_sso_apps", None) if request is not None else None
    if cached is not None and cached[0] == connection.schema_name:
        return cached[1]
    apps = _build_apps()
    if request is not None:
        request._sso_apps = (connection.schema_name, apps)
    return apps


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        apps = institution_apps(request)
        if provider:
            apps = [a for a in apps if provider in (a.provider, a.provider_id)]
        if client_id:
            apps = [a for a in apps if a.client_id == client_id]
        return apps

    def is_open_for_signup(self, request, sociallogin):
        return False  # new people are created in pre_social_login (provisioning) or not at all

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # allauth's reason (python3-saml's message, an OAuth error) can be long; only a code is
        # logged by refuse(); the detail goes at INFO without attributes (it has none).
        logger.info("SSO provider error: %s", (extra_context or {}).get("saml_last_error_reason") or error)
        code = "saml_invalid" if provider and provider.id == "saml" else "provider_error"
        raise refuse(request, code)

    def pre_social_login(self, request, sociallogin):
        provider = sociallogin.provider
        account = sociallogin.account
        key = f"{account.provider}:{account.uid}"
        if not ratelimit.consume(request, app="allauth.account", action="sso_account", key=key, limit_get=True):
            raise ratelimit_response(request)
        email = (sociallogin.user.email or "").lower()
        if provider.id != "saml":
            domains = provider.app.settings.get("email_domains", [])
            if not email or email.rpartition("@")[2] not in domains:
                raise refuse(request, "wrong_domain")
            # Google: only accounts the school's Workspace manages carry `hd`. A personal Google
            # account registered with a school address has a verified email but no `hd`.
            if provider.id == "google" and (account.extra_data or {}).get("hd", "").lower() not in domains:
                raise refuse(request, "wrong_domain")
        next_url = sociallogin.state.get("next")
        if next_url and not is_own_relative_path(next_url):
            sociallogin.state.pop("next")
        if sociallogin.is_existing:
            return
        if provider.id != "saml":
            raise refuse(request, "no_account")
        provisioning.create_or_refuse(request, sociallogin)


def ratelimit_response(request):
    return ImmediateHttpResponse(render(request, "429.html", status=429))
