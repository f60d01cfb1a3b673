from django import forms

from accounts.models import User
from privacy.models import Consent, PrivacyRequest, Purpose


class FileRequestForm(forms.Form):
    subject = forms.TypedChoiceField(label="Whose data", coerce=int)
    kind = forms.ChoiceField(label="What are you asking for?", choices=PrivacyRequest.Kind.choices,
                             widget=forms.RadioSelect)
    details = forms.CharField(label="Details", required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="For a correction: what is wrong and what it should be.")

    def __init__(self, subjects, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = {s.pk: s for s in subjects}
        self.fields["subject"].choices = [(s.pk, "Me" if i == 0 else s.full_name) for i, s in enumerate(subjects)]
        if len(subjects) == 1:
            self.fields["subject"].widget = forms.HiddenInput()
            self.fields["subject"].initial = subjects[0].pk

    def clean(self):
        data = super().clean()
        if data.get("kind") == PrivacyRequest.Kind.RECTIFICATION and not data.get("details", "").strip():
            self.add_error("details", "Say what is wrong and what it should be.")
        return data


class FileOnBehalfForm(forms.Form):
    email = forms.EmailField(label="The person's e-mail address")
    kind = forms.ChoiceField(label="Request", choices=PrivacyRequest.Kind.choices)
    details = forms.CharField(label="Details", required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="How the request reached you (letter, e-mail, in person) and what it asks.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        self.person = User.objects.filter(email=email).first()
        if self.person is None:
            raise forms.ValidationError("No one at this institution has that e-mail address.")
        return email


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices)
    answer = forms.ChoiceField(choices=Consent.Answer.choices)
