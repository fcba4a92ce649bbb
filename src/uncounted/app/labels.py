"""Interface names of canonical fields, roles and events (translated; the data keeps its codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "record_id": _("Record id"),
    "full_name": _("Full name"),
    "given_name": _("Given name"),
    "father_name": _("Father's name"),
    "grandfather_name": _("Grandfather's name"),
    "family_name": _("Family name"),
    "mother_name": _("Mother's name"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "age": _("Age"),
    "governorate": _("Governorate"),
    "district": _("District"),
    "place": _("Place"),
    "registry_number": _("Civil registry number"),
    "arrest_date": _("Arrest date"),
    "arrest_place": _("Arrest place"),
    "arresting_party": _("Arresting party"),
    "detention_facility": _("Detention facility"),
    "detainee_number": _("Detainee number"),
    "death_date": _("Death date"),
    "death_place": _("Death place"),
    "cause_of_death": _("Cause of death"),
    "status": _("Status"),
    "remains_returned": _("Remains returned"),
    "notes": _("Notes"),
    # roles
    "admin": _("Administrator"),
    "analyst": _("Analyst"),
    "reviewer": _("Reviewer"),
    "data_entry": _("Data entry"),
    "family_liaison": _("Family liaison"),
    "viewer": _("Viewer"),
    # timeline events
    "born": _("born"),
    "arrested": _("arrested"),
    "died": _("died"),
}
