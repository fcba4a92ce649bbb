"""Fixtures for the web tests: one signed-in client per role and a small world."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from uncounted.app.models import Account
from uncounted.app.permissions import ROLES

from . import world as world_module


def make_user(role: str, name: str | None = None):
    user = get_user_model().objects.create_user(username=name or f"u_{role}", password=None)
    Account.objects.create(user=user, role=role)
    return user


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached aggregates must never leak from one test's data into another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    return world_module.build()


@pytest.fixture
def clients(db) -> dict[str, Client]:
    """A signed-in test client per role (force_login: Argon2 is tested on its own)."""
    out = {}
    for role in ROLES:
        client = Client()
        client.force_login(make_user(role))
        out[role] = client
    return out
