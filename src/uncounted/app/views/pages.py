"""Dashboard, persons, person and record pages, the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from uncounted.app import queries
from uncounted.app.permissions import allowed, requires
from uncounted.store.core.models import AuditEntry, Record, RecordVersion, Source, audit
from uncounted.store.estimates.models import Estimate
from uncounted.store.linkage.models import Membership, Person

PAGE = 50
FOUND_KEY = "webapp_found_persons"  # persons a summary-only user's searches returned


def page_args(request: HttpRequest, size: int = PAGE) -> tuple[int, int]:
    """(page number from 1, offset) from ``?page=``; junk means page 1."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    return number, (number - 1) * size


def pager(number: int, total: int, size: int = PAGE) -> dict:
    last = max(1, -(-total // size))
    return {
        "number": number,
        "last": last,
        "prev": number - 1 if number > 1 else None,
        "next": number + 1 if number < last else None,
        "total": total,
    }


def warm_up() -> None:
    """Load the name model and compute the cached aggregates (dashboard, campaign lists)
    once, so that the first visitors do not wait for them."""
    from uncounted.app import search
    from uncounted.app.views.lists import LISTS, rows_of

    search.warm_up()
    dashboard_aggregates()
    for kind in LISTS:
        rows_of(kind)


def dashboard_aggregates() -> dict:
    """Counts per source, year and governorate: cached per data version."""
    return {
        "sources": queries.cached("per_source", queries.records_per_source),
        "death_years": queries.cached("death_years", lambda: queries.year_counts("death_date")),
        "arrest_years": queries.cached("arrest_years", lambda: queries.year_counts("arrest_date")),
        "governorates": queries.cached("governorates", queries.governorate_counts),
    }


def governorate_name(pcode: str) -> str:
    """The governorate's reference name in the interface language ('unknown' for none)."""
    from uncounted.names.places import governorates

    names = {g.pcode: g for g in governorates()}
    unit = names.get(pcode)
    if unit is None:
        return _("unknown")
    return unit.name_ar if (get_language() or "").startswith("ar") else unit.name_en


@requires("view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aggregates only (no names), so every role may see it."""
    aggregates = dashboard_aggregates()
    sources = aggregates["sources"]
    latest = Estimate.objects.filter(by=[]).first() or Estimate.objects.first()
    context = {
        "section": "dashboard",
        "sources": sources,
        "source_max": max((s["n"] for s in sources), default=0),
        "records": sum(s["n"] for s in sources),
        "persons": queries.person_count(),
        "open_reviews": queries.open_review_count(),
        "estimate": latest,
        "death_years": aggregates["death_years"],
        "arrest_years": aggregates["arrest_years"],
        "governorates": [(governorate_name(p), n) for p, n in aggregates["governorates"]],
    }
    context["death_max"] = max((n for _, n in context["death_years"]), default=0)
    context["arrest_max"] = max((n for _, n in context["arrest_years"]), default=0)
    context["gov_max"] = max((n for _, n in context["governorates"]), default=0)
    return render(request, "webapp/dashboard.html", context)


@requires("view_persons")
def persons(request: HttpRequest) -> HttpResponse:
    number, offset = page_args(request)
    try:
        source_id = int(request.GET.get("source") or 0)
    except ValueError:
        source_id = 0
    page, total = queries.persons_page(source_id, offset, PAGE)
    names = queries.representative_names(page)
    rows = [(p, *names.get(p.pk, ("", []))) for p in page]
    return render(
        request,
        "webapp/persons.html",
        {
            "section": "persons",
            "rows": rows,
            "pager": pager(number, total),
            "sources": Source.objects.order_by("name"),
            "source_id": source_id,
            "extra": f"source={source_id}&" if source_id else "",
        },
    )


@requires("view_person_summary")
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    """Full page for roles that see records; for the others a summary (no source rows) of
    a person their own searches found, and nobody else (no browsing by id)."""
    person = get_object_or_404(Person, public_id=public_id)
    full = allowed(request.user, "view_persons")
    if not full and public_id not in request.session.get(FOUND_KEY, []):
        raise PermissionDenied
    audit(request.user.username, "person.view", person, details={"full": full})
    view = queries.person_view(person)
    return render(
        request,
        "webapp/person.html" if full else "webapp/person_summary.html",
        {
            "section": "persons",
            "view": view,
            "can_records": allowed(request.user, "view_records"),
            "summary": summary(view),
        },
    )


def summary(view: queries.PersonView) -> dict:
    """What a family liaison needs: names, status, dates, places, lists, remains."""
    wanted = (
        "status",
        "arrest_date",
        "arresting_party",
        "detention_facility",
        "death_date",
        "death_place",
        "remains_returned",
        "governorate",
    )
    by_field = {row.field: row for row in view.rows}
    names = sorted({queries.display_name(r) for r in view.records if queries.display_name(r)})
    claims = {}
    for name in wanted:
        row = by_field.get(name)
        if row:
            claims[name] = sorted(
                {(v, r.source.name) for v, r in zip(row.values, view.records, strict=True) if v}
            )
    return {"names": names, "claims": claims, "sources": view.person.sources}


@requires("view_records")
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """The canonical record, the raw row exactly as imported, its provenance and history."""
    rec = get_object_or_404(Record.objects.select_related("source", "batch", "row"), pk=pk)
    membership = Membership.objects.filter(record=rec).select_related("person").first()
    audit(request.user.username, "record.view", rec)
    fields = [
        (f, getattr(rec, f), rec.raw_values.get(f, "") if isinstance(rec.raw_values, dict) else "")
        for f in ("record_id", *queries.COMPARE_FIELDS, "notes")
    ]
    return render(
        request,
        "webapp/record.html",
        {
            "section": "persons",
            "rec": rec,
            "fields": fields,
            "raw": list(rec.row.raw.items()) if isinstance(rec.row.raw, dict) else rec.row.raw,
            "person": membership.person if membership else None,
            "versions": RecordVersion.objects.filter(record=rec).order_by("-version"),
        },
    )


@requires("view_audit")
def audit_log(request: HttpRequest) -> HttpResponse:
    number, offset = page_args(request)
    qs = AuditEntry.objects.all()
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor=actor)
    total = qs.count()
    return render(
        request,
        "webapp/audit.html",
        {
            "section": "audit",
            "entries": qs[offset : offset + PAGE],
            "pager": pager(number, total),
            "action": action,
            "actor": actor,
        },
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "webapp/error.html", {"status": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "webapp/error.html", {"status": 404}, status=404)
