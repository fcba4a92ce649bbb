"""Forms (Django forms: validation and CSRF handled by Django)."""

from __future__ import annotations

from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from uncounted.names.places import governorates


@cache
def governorate_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(g.pcode, f"{g.name_en} · {g.name_ar}") for g in governorates()]


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name (Arabic or Latin)"), max_length=300)
    father = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    mother = forms.CharField(label=_("Mother's name"), max_length=200, required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"), required=False, min_value=1900, max_value=2030
    )
    governorate = forms.ChoiceField(label=_("Governorate"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["governorate"].choices = governorate_choices()
        for name in ("name", "father", "mother"):
            self.fields[name].widget.attrs["dir"] = "auto"


class DecisionForm(forms.Form):
    item = forms.IntegerField()
    verdict = forms.ChoiceField(
        choices=[("same", "same"), ("different", "different"), ("unsure", "unsure")]
    )
    note = forms.CharField(required=False, max_length=2000)


class EstimateForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Stratify by"),
        required=False,
        choices=[
            ("", _("overall only")),
            ("governorate", _("governorate")),
            ("death_year", _("year of death")),
            ("sex", _("sex")),
            ("age_group", _("age group")),
        ],
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("lcmcr", "LCMCR"), ("loglinear", "log-linear"), ("dga", "dga")],
    )
