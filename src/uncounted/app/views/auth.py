"""Sign in (throttled, audited) and sign out."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from uncounted.app.accounts import sign_in
from uncounted.store.core.models import audit


@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    """The sign-in form; a locked name is refused even with the right password."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    context = {"next": next_url, "error": "", "username": ""}
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        user, locked = sign_in(request, username, request.POST.get("password", ""))
        if user is not None:
            login(request, user)
            audit(user.username, "login", user)
            return redirect(next_url)
        context["username"] = username
        context["error"] = (
            _("Too many failed attempts: this account is locked for a while. Try again later.")
            if locked
            else _("Wrong user name or password.")
        )
        return render(request, "webapp/login.html", context, status=429 if locked else 200)
    return render(request, "webapp/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit(request.user.username, "logout", request.user)
    logout(request)
    return redirect("login")
