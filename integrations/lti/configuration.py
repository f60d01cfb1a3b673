"""What an LMS admin pastes into Canvas, Moodle, Blackboard and D2L (shown in the institution's admin)."""

from django.urls import reverse

from integrations.lti.services import SCOPE_MEMBERSHIPS, SCOPE_SCORE

AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    SCOPE_SCORE,
]


def tool_urls(request):
    absolute = request.build_absolute_uri
    return {
        "login": absolute(reverse("lti_login")),
        "launch": absolute(reverse("lti_launch")),
        "jwks": absolute(reverse("lti_jwks")),
        "deep_link": absolute(reverse("lti_launch")),
        "domain": request.get_host(),
        "canvas_json": absolute(reverse("lti_canvas_config")),
    }


def canvas_json(request):
    urls = tool_urls(request)
    return {
        "title": "Scribe Tree",
        "description": "Writing assignments with drafts, feedback and peer review.",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": [*AGS_SCOPES, SCOPE_MEMBERSHIPS],
        "extensions": [{
            "platform": "canvas.instructure.com",
            "privacy_level": "public",
            "domain": urls["domain"],
            "settings": {"placements": [
                {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
                {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
                {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
                 "target_link_uri": urls["launch"], "default": "disabled"},
            ]},
        }],
        "custom_fields": {},
    }


INSTRUCTIONS = {
    "canvas": [
        "Admin → Developer Keys → + Developer Key → LTI Key. Method: Enter URL, and paste the Canvas JSON URL "
        "below (or Paste JSON with its content). Save, then switch the key ON.",
        "Copy the key's Client ID (the number in the Details column).",
        "Admin → Settings → Apps → + App → By Client ID: paste it. Open the app's settings (gear → Deployment "
        "Id) and copy the deployment id.",
        "Here: add an LMS registration with issuer https://canvas.instructure.com (or your Canvas's issuer), "
        "the client id, auth URL https://sso.canvaslms.com/api/lti/authorize_redirect, token URL "
        "https://<your-canvas>/login/oauth2/token, key set URL https://sso.canvaslms.com/api/lti/security/jwks, "
        "and the deployment id.",
    ],
    "moodle": [
        "Site administration → Plugins → Activity modules → External tool → Manage tools → configure a tool "
        "manually. Tool URL: the launch URL; LTI version: LTI 1.3; Public key type: Keyset URL, with the JWKS URL; "
        "Initiate login URL: the login URL; Redirection URI(s): the launch URL.",
        "Services: IMS LTI Assignment and Grade Services 'Use this service for grade sync and column management', "
        "Names and Role Provisioning 'Use this service to retrieve members' information'; Privacy: share name and "
        "email; tick 'Supports Deep Linking' with the launch URL as Content Selection URL.",
        "Save, then open 'View configuration details' (the list icon) for Platform ID (issuer), Client ID, "
        "Deployment ID, Public keyset URL, Access token URL and Authentication request URL.",
        "Here: add an LMS registration with those values (token audience: the Access token URL).",
    ],
    "blackboard": [
        "Register Scribe Tree once in the Anthology Developer Portal with the login, launch (redirect) and JWKS "
        "URLs below; it gives an Application ID (client id) and the platform's URLs.",
        "In Blackboard Learn: System Admin → LTI Tool Providers → Register LTI 1.3/Advantage Tool with the "
        "Application ID; it shows the Deployment ID. Allow name and email, and grade service access.",
        "Here: issuer https://blackboard.com, auth URL https://developer.blackboard.com/api/v1/gateway/oidcauth, "
        "token URL https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken, key set URL "
        "https://developer.blackboard.com/api/v1/management/applications/<application id>/jwks.json.",
    ],
    "d2l": [
        "Admin Tools → Manage Extensibility → LTI Advantage → Register Tool: Standard, with the domain, the "
        "launch URL as redirect URL, the login URL as OpenID Connect login URL and the JWKS URL as keyset URL; "
        "enable Assignment and Grade Services, Deep Linking and Names and Role Provisioning.",
        "Then New Deployment for the tool, sharing name and email, for the org units that use it. Copy the "
        "Client Id, Brightspace keyset URL, OAuth2 access token URL, OpenID Connect authentication endpoint, "
        "OAuth2 audience (token audience) and Issuer, and the Deployment Id.",
        "Here: add an LMS registration with those values.",
    ],
}
