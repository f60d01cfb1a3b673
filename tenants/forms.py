from django import forms

from tenants.models import Institution


class NewInstitutionForm(forms.ModelForm):
    domain = forms.CharField(
        max_length=253, required=False,
        help_text="Host name people will use, e.g. write.northside.edu. Empty: <slug>.localhost.",
    )
    admin_email = forms.EmailField(label="Institution admin's email", help_text="They get a link to set a password.")
    admin_name = forms.CharField(label="Institution admin's name", max_length=200, required=False)

    class Meta:
        model = Institution
        fields = ["name", "slug", "brand_colour", "gdpr", "ferpa", "ccpa"]
