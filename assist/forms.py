from django import forms

from assist.actions import do_set_stage_assist, do_update_policy
from assist.models import AssistPolicy, Category


class ReflectionForm(forms.Form):
    reflection = forms.CharField(label="Your reflection on this stage", max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 4}))


class AskForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices, label="What kind of help")


class StageAssistForm(forms.Form):
    """One set of checkboxes per stage, offering only what the institution allows."""

    def __init__(self, stages, current, ceiling, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = stages
        choices = [(c.value, c.label) for c in Category if c.value in ceiling]
        for stage in stages:
            self.fields[f"stage_{stage.pk}"] = forms.MultipleChoiceField(
                label=stage.get_kind_display(), choices=choices, required=False, widget=forms.CheckboxSelectMultiple,
                initial=current.get(stage.pk, []))

    def save(self, acting_user):
        return [do_set_stage_assist(stage, self.cleaned_data[f"stage_{stage.pk}"], acting_user=acting_user)
                for stage in self.stages]


class AssistPolicyForm(forms.ModelForm):
    """The institution admin's form. The API key is write-only: never rendered back."""

    allowed = forms.MultipleChoiceField(choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                        label="Help teachers may switch on")
    api_key = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                              label="API key", help_text="Stored sealed and never shown again. Leave empty to keep "
                                                         "the current key.")
    clear_key = forms.BooleanField(required=False, label="Remove the stored key")
    base_url = forms.URLField(required=False, assume_scheme="https", label="Base URL",
                              help_text=AssistPolicy._meta.get_field("base_url").help_text)

    class Meta:
        model = AssistPolicy
        fields = ["enabled", "allowed", "provider", "base_url", "model", "redact_terms"]

    def clean(self):
        data = super().clean()
        if data.get("provider") == AssistPolicy.Provider.OPENAI and not data.get("base_url"):
            self.add_error("base_url", "An OpenAI-compatible provider needs its base URL.")
        return data

    def save_through_action(self, acting_user):
        data = self.cleaned_data
        return do_update_policy(enabled=data["enabled"], allowed=data["allowed"], provider=data["provider"],
                                base_url=data["base_url"], model=data["model"], redact_terms=data["redact_terms"],
                                api_key=data["api_key"] or None, clear_key=data["clear_key"], acting_user=acting_user)
