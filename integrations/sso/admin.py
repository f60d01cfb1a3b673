"""Single sign-on in the institution's admin: its SAML IdP and its Google / Microsoft sign-in.

Saves go through integrations/sso/actions.py (audited). Metadata given by URL is fetched by the
server when the form is saved (SSRF-safe: integrations/sso/metadata.py); an uploaded file is
parsed the same way. The OIDC client secret is write-only: the form never renders it, the list
shows only its last four characters, leaving the field empty keeps the current one, and it is
stored sealed (integrations/sso/secrets.py).
"""

from allauth.socialaccount.models import SocialApp, SocialToken
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import connection
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from integrations.sso.actions import (
    apply_metadata,
    do_save_oidc_provider,
    do_save_saml_provider,
    fetch_and_apply_metadata,
)
from integrations.sso.adapter import ENTRA_PROVIDER_ID
from integrations.sso.metadata import MetadataError
from integrations.sso.models import OidcProvider, SamlIdentityProvider

# Apps come from our own rows (integrations/sso/adapter.py); allauth's tables would only confuse.
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def _site_url(path):
    domain = connection.tenant.get_primary_domain().domain
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{domain}{path}"


def _url_field(name):
    field = SamlIdentityProvider._meta.get_field(name)
    return forms.URLField(required=False, assume_scheme="https", max_length=field.max_length,
                          label=field.verbose_name.capitalize(), help_text=field.help_text)


class SamlIdentityProviderForm(forms.ModelForm):
    metadata_url = _url_field("metadata_url")
    sso_url = _url_field("sso_url")
    metadata_file = forms.FileField(required=False, label="Upload IdP metadata (XML)",
                                    help_text="Fills in the entity ID, sign-on URL and certificate.")
    refetch = forms.BooleanField(required=False, label="Fetch the metadata URL again now")

    class Meta:
        model = SamlIdentityProvider
        fields = ["enabled", "name", "metadata_url", "entity_id", "sso_url", "x509cert", "attr_email",
                  "attr_first_name", "attr_last_name", "attr_full_name", "attr_role", "attr_student_number",
                  "student_values", "teacher_values", "unmatched_role", "jit_provisioning", "allow_idp_initiated",
                  "want_messages_signed"]

    def clean(self):
        data = super().clean()
        config = self.instance
        try:
            upload = data.get("metadata_file")
            if upload:
                if upload.size > 1_000_000:
                    raise MetadataError("The metadata file is larger than 1 MB.")
                apply_metadata(config, upload.read())
            elif data.get("metadata_url") and ("metadata_url" in self.changed_data or data.get("refetch")):
                config.metadata_url = data["metadata_url"]
                fetch_and_apply_metadata(config)
            else:
                return data
        except MetadataError as exc:
            raise forms.ValidationError(str(exc)) from exc
        # What the metadata said wins over the (possibly stale) typed-in fields.
        for name in ("entity_id", "sso_url", "x509cert"):
            data[name] = getattr(config, name)
        return data


@admin.register(SamlIdentityProvider)
class SamlIdentityProviderAdmin(admin.ModelAdmin):
    form = SamlIdentityProviderForm
    list_display = ["name", "enabled", "entity_id", "jit_provisioning", "allow_idp_initiated"]
    readonly_fields = ["service_provider", "metadata_fetched_at"]
    fieldsets = [
        ("For your IdP (give it these)", {"fields": ["service_provider"]}),
        (None, {"fields": ["enabled", "name"]}),
        ("Your identity provider", {"fields": ["metadata_file", "metadata_url", "refetch", "metadata_fetched_at",
                                               "entity_id", "sso_url", "x509cert"]}),
        ("Attributes", {"fields": ["attr_email", "attr_first_name", "attr_last_name", "attr_full_name",
                                   "attr_role", "attr_student_number"]}),
        ("Roles and new people", {"fields": ["student_values", "teacher_values", "unmatched_role",
                                             "jit_provisioning"]}),
        ("Security", {"fields": ["allow_idp_initiated", "want_messages_signed"]}),
    ]

    @admin.display(description="Service provider (Scribe Tree)")
    def service_provider(self, obj):
        slug = connection.tenant.slug
        return format_html(
            "Entity ID and metadata: <code>{}</code><br>Assertion consumer service (HTTP-POST): <code>{}</code>",
            _site_url(reverse("saml_metadata", args=[slug])), _site_url(reverse("saml_acs", args=[slug])))

    def add_view(self, request, form_url="", extra_context=None):
        # One IdP per institution. Checked here, not in has_add_permission: the admin's sidebar asks
        # that of every model on every admin page, which would add a query to all of them.
        existing = SamlIdentityProvider.objects.first()
        if existing is not None:
            messages.info(request, "This institution already has its identity provider: change it here.")
            return redirect("admin:integrations_sso_samlidentityprovider_change", existing.pk)
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        do_save_saml_provider(obj, acting_user=request.user)


class OidcProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Write-only: never shown again. Leave empty to keep the current secret.")

    class Meta:
        model = OidcProvider
        fields = ["kind", "enabled", "client_id", "client_secret", "entra_tenant", "email_domains"]

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and not self.instance.client_secret:
            raise forms.ValidationError("Give the client secret.")
        return secret or self.instance.client_secret


@admin.register(OidcProvider)
class OidcProviderAdmin(admin.ModelAdmin):
    form = OidcProviderForm
    list_display = ["kind", "enabled", "client_id", "secret_hint", "email_domains"]
    readonly_fields = ["redirect_uri", "secret_hint"]

    @admin.display(description="Client secret")
    def secret_hint(self, obj):
        secret = obj.secret if obj and obj.client_secret else ""
        return f"••••{secret[-4:]}" if secret else "—"

    @admin.display(description="Redirect URI (give it to Google / Microsoft)")
    def redirect_uri(self, obj):
        if obj and obj.kind == OidcProvider.Kind.MICROSOFT:
            path = reverse("openid_connect_callback", kwargs={"provider_id": ENTRA_PROVIDER_ID})
        else:
            path = reverse("google_callback")
        return _site_url(path)

    def save_model(self, request, obj, form, change):
        do_save_oidc_provider(obj, acting_user=request.user)
