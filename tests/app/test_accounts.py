"""Accounts: Argon2, throttled sign-in, CSRF, and the ``uncounted user`` / ``serve`` commands."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from uncounted.app.accounts import add_user, disable_user
from uncounted.app.models import LoginThrottle
from uncounted.errors import UserError
from uncounted.store.core.models import AuditEntry

PASSWORD = "correct horse battery"


@pytest.mark.django_db
def test_password_is_argon2_and_sign_in_works(client):
    add_user("nour", "data entry", PASSWORD, actor="admin")
    user = get_user_model().objects.get(username="nour")
    assert user.password.startswith("argon2$")
    assert user.account.role == "data_entry"
    response = client.post(
        "/login/", {"username": "nour", "password": PASSWORD, "next": "/imports/"}
    )
    assert response.status_code == 302 and response["Location"] == "/imports/"
    assert client.get("/imports/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor="nour").exists()


@pytest.mark.django_db
def test_open_redirect_after_login_is_refused(client):
    add_user("nour", "viewer", PASSWORD, actor="admin")
    response = client.post(
        "/login/", {"username": "nour", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_repeated_failures_lock_the_name_even_for_the_right_password(client):
    add_user("rami", "reviewer", PASSWORD, actor="admin")
    for _ in range(5):
        response = client.post("/login/", {"username": "rami", "password": "wrong"})
        assert response.status_code == 200 and b"Wrong user name" in response.content
    response = client.post("/login/", {"username": "rami", "password": "wrong"})
    assert response.status_code == 429
    response = client.post("/login/", {"username": "rami", "password": PASSWORD})
    assert response.status_code == 429 and b"locked" in response.content
    assert client.get("/").status_code == 302  # still signed out
    throttle = LoginThrottle.objects.get(username="rami")
    assert throttle.failures == 6 and throttle.is_locked()
    # once the lock has passed, the right password works and resets the count
    LoginThrottle.objects.filter(pk=throttle.pk).update(locked_until=None)
    assert client.post("/login/", {"username": "rami", "password": PASSWORD}).status_code == 302
    assert LoginThrottle.objects.get(username="rami").failures == 0
    assert AuditEntry.objects.filter(action="login.failed").count() == 6


@pytest.mark.django_db
def test_unknown_names_are_throttled_too(client):
    for _ in range(6):
        client.post("/login/", {"username": "ghost", "password": "x"})
    assert LoginThrottle.objects.get(username="ghost").is_locked()


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms(world):
    from .conftest import make_user

    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    client.force_login(make_user("reviewer"))
    response = client.post("/review/decide/", {"item": world.item.pk, "verdict": "same"})
    assert response.status_code == 403
    response = client.post("/search/", {"name": "Ahmad"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_disabled_user_cannot_sign_in_and_sessions_end(client):
    add_user("sami", "analyst", PASSWORD, actor="admin")
    other = Client()
    assert other.post("/login/", {"username": "sami", "password": PASSWORD}).status_code == 302
    disable_user("sami", actor="admin")
    assert other.get("/").status_code == 302  # the open session is gone
    response = client.post("/login/", {"username": "sami", "password": PASSWORD})
    assert response.status_code == 200 and b"Wrong user name" in response.content


@pytest.mark.django_db
def test_bad_accounts_are_refused_with_clear_errors():
    with pytest.raises(UserError, match="unknown role 'boss'"):
        add_user("a", "boss", PASSWORD, actor="t")
    with pytest.raises(UserError, match="at least 10"):
        add_user("a", "viewer", "short", actor="t")
    add_user("a", "family-liaison", PASSWORD, actor="t")
    with pytest.raises(UserError, match="exists already"):
        add_user("a", "viewer", PASSWORD, actor="t")
    with pytest.raises(UserError, match="no user 'b'"):
        disable_user("b", actor="t")


def cli(workspace: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "UNCOUNTED_USER": "tester"}
    env.pop("UNCOUNTED_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "uncounted.cli", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_user_commands_and_serve(tmp_path):
    ws = tmp_path / "ws"
    cli(tmp_path, "init", str(ws))
    out = cli(ws, "user", "add", "amal", "--role", "admin").stdout
    assert "generated password (shown once):" in out
    password = out.split("shown once):")[1].split()[0]
    cli(ws, "user", "add", "badr", "--role", "data-entry", "--password", PASSWORD)
    bad = cli(ws, "user", "add", "c", "--role", "boss", check=False)
    assert bad.returncode == 1 and "unknown role" in bad.stderr and "Traceback" not in bad.stderr
    cli(ws, "user", "disable", "badr")
    listing = cli(ws, "user", "list").stdout
    assert "amal" in listing and "admin" in listing and "data_entry" in listing and "no" in listing

    with serving(ws) as (base, response):
        page = response.read().decode()
        assert 'name="csrfmiddlewaretoken"' in page
        css = urllib.request.urlopen(f"{base}/static/webapp/app.css", timeout=5)
        assert css.status == 200
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"{base}/persons/", timeout=5)
        assert redirect.value.code == 302
        assert redirect.value.headers["Location"].startswith("/login/")
        assert signed_in_page(base, "amal", password).startswith("<!DOCTYPE html>")


@contextmanager
def serving(ws: Path, *options: str, headers: dict[str, str] | None = None):
    """Run `uncounted serve` on a free port; yield its base URL and the first /login/
    response (fetched with ``headers``) once it answers; stop it afterwards."""
    port = free_port()
    env = {**os.environ}
    env.pop("UNCOUNTED_DATABASE_URL", None)
    command = [sys.executable, "-m", "uncounted.cli", "--workspace", str(ws), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{base}/login/", headers=headers or {})
    try:
        for _ in range(100):
            try:
                response = urllib.request.urlopen(request, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base, response
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_in_page(base: str, username: str, password: str) -> str:
    """Sign in over HTTP as a browser would (CSRF cookie + token) and fetch the dashboard."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login/", timeout=5).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"}
    )
    page = opener.open(request, timeout=10).read().decode()
    assert 'id="n-records"' in page, "not signed in"
    return page


@pytest.mark.slow
def test_serve_behind_https_sets_secure_cookies(tmp_path):
    ws = tmp_path / "ws"
    cli(tmp_path, "init", str(ws))
    with serving(
        ws, "--workers", "1", "--behind-https", headers={"X-Forwarded-Proto": "https"}
    ) as (_, response):
        cookie = response.headers["Set-Cookie"]
        assert "csrftoken=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
