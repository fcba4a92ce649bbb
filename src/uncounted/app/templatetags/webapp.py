"""Template helpers: permission checks from the one table, bars, Arabic-Indic digits."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from uncounted.app.labels import FIELD_LABELS
from uncounted.app.permissions import allowed

register = template.Library()

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@register.filter
def can(user, permission: str) -> bool:
    """``{% if request.user|can:"review" %}``: same answer as the view decorator."""
    return allowed(user, permission)


@register.filter
def num(value) -> str:
    """A number with Arabic-Indic digits when the interface is Arabic."""
    if value is None or value == "":
        return "—"
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return text.translate(ARABIC_INDIC) if (get_language() or "").startswith("ar") else text


@register.filter
def pct(value, total) -> str:
    """Bar width in percent for CSS (a string, so it is never localised to ``50,0``)."""
    try:
        share = 100.0 * float(value) / float(total) if total else 0.0
    except (TypeError, ValueError):
        share = 0.0
    return f"{share:.1f}"


@register.filter
def get(mapping, key):
    """``{{ row|get:field }}`` for dicts in templates."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def label(field_name: str) -> str:
    """A canonical field's name in the interface language (``death_date`` → Death date)."""
    return str(FIELD_LABELS.get(field_name, field_name))
