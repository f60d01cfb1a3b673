from django import forms

from accounts.models import Role, User


class PersonForm(forms.ModelForm):
    """The institution admin's form for a person: details and role, never a password."""

    role = forms.ChoiceField(choices=[c for c in Role.choices if c[0] != Role.PLATFORM_OPERATOR])

    class Meta:
        model = User
        fields = ["email", "full_name", "preferred_name", "student_number", "role", "is_active"]
