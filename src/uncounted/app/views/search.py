"""The search page (family search). Every search is audited with who asked what."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from uncounted.app import forms
from uncounted.app.permissions import allowed, requires
from uncounted.app.search import Query, search
from uncounted.app.views.pages import FOUND_KEY
from uncounted.store.core.models import audit

MAX_FOUND = 1000


@requires("search")
def search_view(request: HttpRequest) -> HttpResponse:
    """POST only runs a search, so names never travel in URLs (history, proxy logs)."""
    form = forms.SearchForm(request.POST or None)
    hits = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        query = Query(
            name=data["name"],
            father=data["father"],
            mother=data["mother"],
            birth_year=data["birth_year"],
            governorate=data["governorate"],
        )
        hits = search(query)
        if not allowed(request.user, "view_persons"):
            found = [h.person.public_id for h in hits]
            previous = request.session.get(FOUND_KEY, [])
            request.session[FOUND_KEY] = (previous + found)[-MAX_FOUND:]
        audit(
            request.user.username,
            "search",
            object_type="search",
            details={**query.audit_details(), "results": len(hits)},
        )
    return render(
        request,
        "webapp/search.html",
        {
            "section": "search",
            "form": form,
            "hits": hits,
            "full": allowed(request.user, "view_persons"),
        },
    )
