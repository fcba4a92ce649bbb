"""Uploaded files waiting for their column mapping: kept in a private folder until the
import is committed or abandoned, and bound to the session that uploaded them."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from uncounted.errors import UserError

ROOT = Path(tempfile.gettempdir()) / "uncounted-uploads"
SAFE = re.compile(r"[^\w.\-]+")
SESSION_KEY = "webapp_uploads"


def save(chunks, name: str, session) -> str:
    """Store an upload under a random token (folder mode 0700); remember it in the session."""
    sweep()
    token = secrets.token_urlsafe(16)
    folder = ROOT / token
    folder.mkdir(parents=True, mode=0o700)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm"):
        shutil.rmtree(folder)
        raise UserError(f"{name}: upload a .csv or .xlsx file")
    target = folder / (SAFE.sub("_", Path(name).stem)[:100] + suffix)
    with target.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), token][-10:]
    return token


def sweep(max_age_s: float = 24 * 3600) -> None:
    """Remove uploads abandoned for a day (never committed nor cancelled)."""
    if not ROOT.is_dir():
        return
    cutoff = time.time() - max_age_s
    for folder in ROOT.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def path_of(token: str, session) -> Path | None:
    """The uploaded file for ``token`` if this session uploaded it (else ``None``)."""
    if token not in session.get(SESSION_KEY, []) or not re.fullmatch(r"[\w\-]+", token):
        return None
    files = list((ROOT / token).glob("*"))
    return next((f for f in files if f.suffix != ".toml"), None)


def discard(token: str, session) -> None:
    shutil.rmtree(ROOT / token, ignore_errors=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
