"""The review page: one pair at a time, keyboard shortcuts, decisions audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uncounted.app import forms
from uncounted.app import review as queue
from uncounted.app.permissions import requires
from uncounted.store.linkage.models import ReviewItem

SKIP_KEY = "webapp_review_skip"
CLAIM_KEY = "webapp_review_claim"


def next_for(request: HttpRequest) -> ReviewItem | None:
    """Claim (or keep) the reviewer's next item; remember it in the session."""
    session = request.session
    item = queue.claim_next(
        request.user.username, session.get(SKIP_KEY, []), session.get(CLAIM_KEY)
    )
    if item is not None and session.get(CLAIM_KEY) != item.pk:
        session[CLAIM_KEY] = item.pk
    return item


@requires("review")
def review(request: HttpRequest) -> HttpResponse:
    item = next_for(request)
    context = {"section": "review", "item": item, "remaining": 0}
    if item is not None:
        a, b = item.record_a, item.record_b
        context.update(
            a=a,
            b=b,
            rows=queue.aligned(a, b),
            remaining=ReviewItem.objects.filter(status="open").count(),
        )
    return render(request, "webapp/review.html", context)


@requires("review")
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That decision could not be read; nothing was recorded."))
        return redirect("review")
    data = form.cleaned_data
    if not ReviewItem.objects.filter(pk=data["item"]).exists():
        messages.error(request, _("That pair is no longer in the queue."))
        return redirect("review")
    _item, someone_else = queue.decide(
        data["item"], data["verdict"], data["note"], request.user.username
    )
    if data["verdict"] == "unsure":
        request.session[SKIP_KEY] = [*request.session.get(SKIP_KEY, []), data["item"]][-500:]
    if someone_else:
        messages.info(
            request,
            _(
                "Another reviewer had decided this pair too; both decisions are kept, yours is the newer."
            ),
        )
    return redirect("review")


@requires("review")
def next_item_json(request: HttpRequest) -> JsonResponse:
    """The next claimed pair as JSON (aligned fields, weight, explanation)."""
    item = next_for(request)
    if item is None:
        return JsonResponse({"item": None})
    return JsonResponse(
        {
            "item": item.pk,
            "match_probability": item.match_probability,
            "match_weight": item.match_weight,
            "explanation": item.explanation,
            "records": [item.record_a_id, item.record_b_id],
            "fields": [row.__dict__ for row in queue.aligned(item.record_a, item.record_b)],
        }
    )
