"""Forms of the online course pages: registration by e-mail, authoring, Q&A."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_GIFT_BYTES = 2 * 1024 * 1024


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return str(_("Check the form."))


class RegisterForm(forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Surname"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=300)
    soft_deadline = forms.DateTimeField(
        label=_("Soft deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    hard_deadline = forms.DateTimeField(
        label=_("Hard deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    penalty_percent = forms.IntegerField(
        label=_("Late penalty, %"), min_value=0, max_value=100, initial=0, required=False
    )

    def clean_penalty_percent(self) -> int:
        return int(self.cleaned_data.get("penalty_percent") or 0)


STEP_KINDS = (
    ("text", _("Text")),
    ("video", _("Video")),
    ("file", _("File")),
)


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=STEP_KINDS)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text (HTML)"), widget=forms.Textarea, required=False)
    url = forms.URLField(label=_("Video address (https://)"), required=False, assume_scheme="https")
    transcript = forms.CharField(label=_("Transcript"), widget=forms.Textarea, required=False)
    upload = forms.FileField(label=_("File or video"), required=False)

    def step_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        definition: dict[str, Any] = {"kind": kind}
        if kind == "text":
            definition.update({"body": data.get("body") or "", "format": "html"})
        elif kind == "video":
            if data.get("url"):
                definition["url"] = data["url"]
            if data.get("transcript"):
                definition["transcript"] = data["transcript"]
        return {"definition": definition, "title": data["title"], "media": data.get("upload")}


class GiftForm(forms.Form):
    file = forms.FileField(label=_("GIFT file"), required=False)
    text = forms.CharField(label=_("or paste the questions"), widget=forms.Textarea, required=False)
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed (empty: no limit)"), min_value=1, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a GIFT file or paste the questions."))
        if upload is not None:
            if upload.size > MAX_GIFT_BYTES:
                raise forms.ValidationError(_("The GIFT file is too large (2 MB at most)."))
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    _("The GIFT file is not UTF-8 text: save it as UTF-8 and try again.")
                ) from exc
        return data

    def gift_text(self) -> str:
        return str(self.cleaned_data["text"])


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
