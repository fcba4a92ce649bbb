"""Accounts: create, list and disable users; sign-in with failed-login throttling."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from uncounted.app.models import Account, LoginThrottle
from uncounted.app.permissions import ROLES, canonical_role
from uncounted.errors import UserError
from uncounted.store.core.models import audit

MIN_PASSWORD = 10


def generate_password() -> str:
    """A random password good enough to hand over once (about 96 bits)."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class UserRow:
    username: str
    role: str
    active: bool
    last_login: str


def add_user(username: str, role: str, password: str, actor: str) -> None:
    """Create an active account with one role; the password is hashed with Argon2."""
    role = canonical_role(role)
    User = get_user_model()
    if not username.strip():
        raise UserError("a user name cannot be empty")
    if User.objects.filter(username=username).exists():
        raise UserError(f"user {username!r} exists already")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password refused: use at least {MIN_PASSWORD} characters")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise UserError(f"password refused: {' '.join(exc.messages)}") from None
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        Account.objects.create(user=user, role=role)
        audit(actor, "user.add", user, after={"username": username, "role": role})


def list_users() -> list[UserRow]:
    User = get_user_model()
    return [
        UserRow(
            u.username,
            getattr(getattr(u, "account", None), "role", "") or "",
            u.is_active,
            u.last_login.isoformat(timespec="seconds") if u.last_login else "",
        )
        for u in User.objects.select_related("account").order_by("username")
    ]


def disable_user(username: str, actor: str) -> None:
    """Disable sign-in (the account stays, for the audit trail) and end its sessions."""
    from django.contrib.sessions.models import Session

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise UserError(f"no user {username!r}")
    with transaction.atomic():
        user.is_active = False
        user.set_unusable_password()
        user.save()
        for session in Session.objects.all().iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
        audit(actor, "user.disable", user)


def sign_in(request: HttpRequest, username: str, password: str):
    """Authenticate unless the name is locked; failures count towards a lock.

    Returns ``(user or None, locked: bool)``.
    """
    throttle, _ = LoginThrottle.objects.get_or_create(username=username[:150])
    if throttle.is_locked():
        audit(username[:150], "login.locked", object_type="user", object_id=username[:100])
        return None, True
    user = authenticate(request, username=username, password=password)
    if user is None or role_missing(user):
        throttle.register_failure()
        audit(username[:150], "login.failed", object_type="user", object_id=username[:100])
        return None, throttle.is_locked()
    throttle.failures = 0
    throttle.locked_until = None
    throttle.save()
    return user, False


def role_missing(user) -> bool:
    return getattr(getattr(user, "account", None), "role", None) not in ROLES
