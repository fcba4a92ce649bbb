"""Every role × every URL: allowed or forbidden, exactly as docs/roles.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

from uncounted.app.permissions import ROLES, roles_document

# The expected matrix, written out by hand (not derived from the code's table), so that a
# change to the table that is not also made here fails. 1 = allowed, 0 = forbidden.
#                 admin analyst reviewer data_entry family_liaison viewer
EXPECTED = {
    "/": (1, 1, 1, 1, 1, 1),
    "/persons/": (1, 1, 1, 1, 0, 1),
    "/persons/P-1/": (1, 1, 1, 1, 0, 1),  # family liaison: only persons it searched for
    "/records/{record}/": (1, 1, 1, 1, 0, 0),
    "/review/": (1, 1, 1, 0, 0, 0),
    "/review/next.json": (1, 1, 1, 0, 0, 0),
    "/search/": (1, 1, 1, 1, 1, 1),
    "/lists/": (1, 1, 1, 0, 0, 1),
    "/lists/died_custody.csv": (1, 1, 0, 0, 0, 0),
    "/lists/held.xlsx": (1, 1, 0, 0, 0, 0),
    "/estimates/": (1, 1, 1, 0, 0, 1),
    "/imports/": (1, 0, 0, 1, 0, 0),
    "/audit/": (1, 0, 0, 0, 0, 0),
}
POST_ONLY = {
    "/review/decide/": (1, 1, 1, 0, 0, 0),
    "/estimates/start/": (1, 1, 0, 0, 0, 0),
}
ROLE_ORDER = ("admin", "analyst", "reviewer", "data_entry", "family_liaison", "viewer")


def test_role_order_matches_roles():
    assert set(ROLE_ORDER) == set(ROLES)


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.parametrize("role", ROLE_ORDER)
def test_every_url_for_role(role, clients, world):
    client = clients[role]
    column = ROLE_ORDER.index(role)
    record = world.records["official:A1"].pk
    for url, allowed in EXPECTED.items():
        response = client.get(url.format(record=record))
        expected = 200 if allowed[column] else 403
        assert response.status_code == expected, (role, url, response.status_code)
    for url, allowed in POST_ONLY.items():
        # an empty POST: allowed roles get past the permission check (a redirect back)
        response = client.post(url, {})
        if allowed[column]:
            assert response.status_code == 302, (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_everywhere(client, world):
    record = world.records["official:A1"].pk
    for url in [*EXPECTED, *POST_ONLY]:
        response = client.get(url.format(record=record))
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


@pytest.mark.django_db
def test_user_without_role_or_disabled_is_refused(client, world):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("norole")
    client.force_login(user)
    assert client.get("/").status_code == 403
    assert client.get("/search/").status_code == 403


@pytest.mark.django_db
def test_docs_roles_md_is_the_code_table():
    """docs/roles.md is generated from the one table; a stale copy fails here."""
    path = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
    assert path.read_text(encoding="utf-8") == roles_document()
