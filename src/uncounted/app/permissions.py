"""Roles and what each may do: the ONE table every page, form and JSON endpoint consults.

``docs/roles.md`` is generated from :data:`PERMISSIONS` (a test keeps them equal), so the
documentation can never drift from what the code enforces.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from uncounted.errors import UserError

ROLES: dict[str, str] = {
    "admin": "Administrator",
    "analyst": "Analyst",
    "reviewer": "Reviewer",
    "data_entry": "Data entry",
    "family_liaison": "Family liaison",
    "viewer": "Viewer",
}

# permission -> (what it allows, roles that hold it)
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "view_dashboard": (
        "Dashboard: counts per source, persons, latest estimate, plots (aggregates only)",
        frozenset(ROLES),
    ),
    "view_persons": (
        "Person list and full person pages (every record side by side)",
        frozenset({"admin", "analyst", "reviewer", "data_entry", "viewer"}),
    ),
    "view_person_summary": (
        "Person summary of a person one's own search found (status, dates, facility, lists; "
        "no source rows)",
        frozenset(ROLES),
    ),
    "view_records": (
        "Record pages with the raw source row as imported",
        frozenset({"admin", "analyst", "reviewer", "data_entry"}),
    ),
    "search": (
        "Search persons by name, parents' names, birth year, governorate (audited)",
        frozenset(ROLES),
    ),
    "review": (
        "Review queue: decide same person / different / unsure",
        frozenset({"admin", "analyst", "reviewer"}),
    ),
    "view_lists": (
        "Campaign lists (died in custody, still detained or disappeared, rankings)",
        frozenset({"admin", "analyst", "reviewer", "viewer"}),
    ),
    "export": (
        "Export campaign lists to CSV / XLSX",
        frozenset({"admin", "analyst"}),
    ),
    "view_estimates": (
        "Stored estimates with strata, intervals and plots",
        frozenset({"admin", "analyst", "reviewer", "viewer"}),
    ),
    "run_estimate": (
        "Start a new estimate in the background",
        frozenset({"admin", "analyst"}),
    ),
    "import": (
        "Upload files, create sources, map columns, commit imports",
        frozenset({"admin", "data_entry"}),
    ),
    "view_audit": (
        "The audit log (who viewed whom, who searched what, every decision)",
        frozenset({"admin"}),
    ),
}


ROLE_ALIASES = {r.replace("_", " "): r for r in ROLES} | {r.replace("_", "-"): r for r in ROLES}


def canonical_role(text: str) -> str:
    """``data entry`` / ``data-entry`` / ``data_entry`` → ``data_entry``; else a clear error."""
    key = text.strip().lower()
    role = key if key in ROLES else ROLE_ALIASES.get(key)
    if role is None:
        raise UserError(f"unknown role {text!r}: use one of {', '.join(ROLES)}")
    return role


def role_of(user: Any) -> str | None:
    """The role of a signed-in, active user; ``None`` for anyone without an account role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    account = getattr(user, "account", None)
    return account.role if account is not None and account.role in ROLES else None


def allowed(user: Any, permission: str) -> bool:
    """Whether ``user`` holds ``permission`` (unknown permissions are never granted)."""
    role = role_of(user)
    entry = PERMISSIONS.get(permission)
    return role is not None and entry is not None and role in entry[1]


def permissions_of(user: Any) -> frozenset[str]:
    """Every permission the user holds (used by templates to show only allowed links)."""
    role = role_of(user)
    return frozenset(p for p, (_, roles) in PERMISSIONS.items() if role in roles)


def requires(*permissions: str) -> Callable:
    """View decorator: anonymous → login page; signed in without the permission → 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not all(allowed(request.user, p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permissions = permissions  # type: ignore[attr-defined]
        return wrapper

    return decorate


def markdown_table() -> str:
    """The role × permission table as Markdown (the body of ``docs/roles.md``)."""
    header = "| Permission | What it allows | " + " | ".join(ROLES.values()) + " |"
    rule = "|" + "---|" * (len(ROLES) + 2)
    rows = [
        f"| `{name}` | {text} | "
        + " | ".join("yes" if role in roles else "—" for role in ROLES)
        + " |"
        for name, (text, roles) in PERMISSIONS.items()
    ]
    return "\n".join([header, rule, *rows]) + "\n"


DOC_INTRO = """\
# Roles and permissions

Every account has exactly one role. What each role may see and do is this one table; the
web application enforces it on every page, form and JSON endpoint from the same table in
code (`src/uncounted/app/permissions.py`, `PERMISSIONS`), and a test keeps this file equal
to it (regenerate with `python -m uncounted.app.permissions > docs/roles.md`).

Anonymous requests to any page are sent to the sign-in page. A signed-in user without the
permission gets "403 forbidden". Person views, record views, searches, exports, imports,
estimates started and every review decision are written to the audit log with the user's
name. A family liaison reaches a person only as a summary (names, status, dates, places,
which lists), and only a person their own search returned (no browsing by id): no source
rows, no record pages, no export.

Accounts: `uncounted user add NAME --role ROLE`, `uncounted user list`,
`uncounted user disable NAME`. Roles: `admin`, `analyst`, `reviewer`, `data-entry`,
`family-liaison`, `viewer`.

## Role × permission

"""


def pages_table() -> str:
    """Which permission(s) each URL needs, read from the views themselves."""
    from uncounted.app.urls import urlpatterns

    rows = ["| URL | Needs |", "|---|---|"]
    for pattern in urlpatterns:
        needs = getattr(pattern.callback, "required_permissions", None)
        if needs:
            rows.append(f"| `/{pattern.pattern}` | {', '.join(f'`{p}`' for p in needs)} |")
    return "\n".join(rows) + "\n"


def roles_document() -> str:
    """The whole of ``docs/roles.md``."""
    return DOC_INTRO + markdown_table() + "\n## Pages and endpoints\n\n" + pages_table()


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uncounted.store.test_settings")
    django.setup()
    print(roles_document(), end="")
