"""Forms of the student's coursework pages (coursework/views_student.py).

Text fields keep whitespace exactly (`strip=False`): an essay's trailing newline is the student's,
and the saved text must be what the editor showed. Line breaks are normalised to "\\n" because a
browser sends a textarea's breaks as "\\r\\n" on a plain form post but the editor compares "\\n".
"""

from django import forms

# About 50,000 words: far above any assignment's maximum, low enough to refuse abuse early.
MAX_TEXT_CHARS = 300_000
MAX_FIGURE = 1_000_000


class AccessibleErrorsMixin:
    """Marks fields with errors `aria-invalid` and points them at their message and help text
    (templates/coursework/student/_field.html gives them the ids `<id>-error` and `<id>_helptext`)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field_id = self[name].auto_id
                described_by = f"{field_id}-error" + (f" {field_id}_helptext" if self.fields[name].help_text else "")
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": described_by})


class DraftForm(AccessibleErrorsMixin, forms.Form):
    """The writing page's one form: the editor's text and base revision, and the reflection that a
    submission carries (an autosave posts it too and ignores it; a refused post shows it again)."""

    text = forms.CharField(required=False, strip=False, max_length=MAX_TEXT_CHARS, widget=forms.Textarea,
                           error_messages={"max_length": "Your text is too long to save (over %(limit_value)s "
                                                         "characters). It is still in the editor."})
    base_revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reflection = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        label="Reflection (optional)",
        help_text="What did you work on in this stage? What would you like feedback on?")

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n").replace("\r", "\n")


class AutosaveForm(DraftForm):
    """A save from the editor, with the writing-process figures since its last confirmed save."""

    active_seconds = forms.IntegerField(min_value=0, max_value=MAX_FIGURE, required=False)
    typed_chars = forms.IntegerField(min_value=0, max_value=MAX_FIGURE, required=False)
    pasted_chars = forms.IntegerField(min_value=0, max_value=MAX_FIGURE, required=False)
    paste_sizes = forms.CharField(required=False, max_length=2000, help_text="Comma-separated sizes of each paste.")

    def clean_paste_sizes(self):
        raw = [part.strip() for part in self.cleaned_data["paste_sizes"].split(",") if part.strip()]
        if not all(part.isdigit() and int(part) <= MAX_FIGURE for part in raw):
            raise forms.ValidationError("Paste sizes must be whole numbers.")
        return [int(part) for part in raw]

    def process(self):
        data = self.cleaned_data
        return {"active_seconds": data["active_seconds"] or 0, "typed_chars": data["typed_chars"] or 0,
                "pasted_chars": data["pasted_chars"] or 0, "paste_sizes": data["paste_sizes"]}


class SubmitStageForm(DraftForm):
    """Submitting carries the editor's text, so what the student sees is what is submitted."""

    base_revision = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("base_revision") is not None and not data.get("text", "x").strip():
            self.add_error("text", "There is nothing to submit yet: write something first.")
        return data


class CompareForm(AccessibleErrorsMixin, forms.Form):
    """Two revisions to compare, older first (swapped if given the other way round)."""

    old = forms.IntegerField(label="From revision", min_value=1)
    new = forms.IntegerField(label="To revision", min_value=1)

    def __init__(self, *args, latest, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = latest
        for field in self.fields.values():
            field.widget.attrs.update({"min": 1, "max": latest})

    def clean(self):
        data = super().clean()
        for name in ("old", "new"):
            if data.get(name) is not None and data[name] > self.latest:
                self.add_error(name, f"There are only {self.latest} revisions.")
        old, new = data.get("old"), data.get("new")
        if self.errors or old is None or new is None:
            return data
        if old == new:
            self.add_error("new", "Choose two different revisions.")
        elif old > new:
            data["old"], data["new"] = new, old
        return data
