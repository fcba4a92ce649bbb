"""The review page: one pair at a time, keyboard shortcuts, decisions audited."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uncounted.app import forms
from uncounted.app import review as queue
from uncounted.app.permissions import requires
from uncounted.store.linkage.models import ReviewItem

SKIP_KEY = "webapp_review_skip"
CLAIM_COOKIE = "review_claim"


def next_for(request: HttpRequest) -> ReviewItem | None:
    """Claim (or keep) the reviewer's next item.

    The item last given is remembered in a signed cookie (salted with the user name), not
    in the session: showing the next pair then costs one database write (the claim).
    """
    try:
        current = int(request.get_signed_cookie(CLAIM_COOKIE, salt=request.user.username))
    except (KeyError, ValueError, signing.BadSignature):
        current = None
    return queue.claim_next(request.user.username, request.session.get(SKIP_KEY, []), current)


def remember(response: HttpResponse, request: HttpRequest, item: ReviewItem | None) -> HttpResponse:
    if item is not None:
        response.set_signed_cookie(
            CLAIM_COOKIE,
            str(item.pk),
            salt=request.user.username,
            max_age=int(queue.CLAIM.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


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
    return remember(render(request, "webapp/review.html", context), request, item)


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
def next_item_json(request: HttpRequest) -> HttpResponse:
    """The next claimed pair as JSON (aligned fields, weight, explanation)."""
    item = next_for(request)
    if item is None:
        return JsonResponse({"item": None})
    response = JsonResponse(
        {
            "item": item.pk,
            "match_probability": item.match_probability,
            "match_weight": item.match_weight,
            "explanation": item.explanation,
            "records": [item.record_a_id, item.record_b_id],
            "fields": [row.__dict__ for row in queue.aligned(item.record_a, item.record_b)],
        }
    )
    return remember(response, request, item)
