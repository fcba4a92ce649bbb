"""A workspace is a folder with ``uncounted.toml`` and (by default) a SQLite database.

Commands find it by ``--workspace``, else ``UNCOUNTED_WORKSPACE``, else the current
directory. ``UNCOUNTED_DATABASE_URL`` points the same workspace at PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from uncounted.errors import UserError

SETTINGS_FILE = "uncounted.toml"
DATABASE_FILE = "uncounted.sqlite3"


@dataclass(frozen=True)
class Workspace:
    """A located workspace: its folder and the parsed settings file."""

    root: Path
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        """Environment first (so one workspace can be pointed at PostgreSQL), then settings."""
        url = os.environ.get("UNCOUNTED_DATABASE_URL") or self.settings.get("database", {}).get(
            "url", ""
        )
        return url or f"sqlite:///{self.root / DATABASE_FILE}"

    @property
    def secret_key(self) -> str:
        return self.settings.get("web", {}).get("secret_key", "")

    @property
    def runs_dir(self) -> Path:
        """Where link runs and estimates keep their artefacts (models, tables, plots)."""
        return self.root / "runs"


def locate(option: Path | None = None) -> Path:
    """The workspace folder the user meant, without checking it exists."""
    if option is not None:
        return Path(option).expanduser().resolve()
    env = os.environ.get("UNCOUNTED_WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    return Path.cwd().resolve()


def load(option: Path | None = None) -> Workspace:
    """Read the workspace's settings; a clear error if there is none."""
    root = locate(option)
    settings_path = root / SETTINGS_FILE
    if not settings_path.is_file():
        raise UserError(
            f"no workspace at {root} (no {SETTINGS_FILE}): run 'uncounted init DIR' "
            "or pass --workspace DIR"
        )
    try:
        settings = tomllib.loads(settings_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{settings_path}: not valid TOML ({exc})") from None
    return Workspace(root=root, settings=settings)


def create(directory: Path, name: str | None = None) -> Workspace:
    """Write a new settings file (refusing to overwrite one) and return the workspace."""
    root = Path(directory).expanduser().resolve()
    settings_path = root / SETTINGS_FILE
    if settings_path.exists():
        raise UserError(f"{root} is already a workspace ({SETTINGS_FILE} exists)")
    if root.exists() and not root.is_dir():
        raise UserError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    text = SETTINGS_TEMPLATE.format(
        name=(name or root.name).replace('"', "'"), secret_key=secrets.token_urlsafe(48)
    )
    settings_path.write_text(text, encoding="utf-8")
    return Workspace(root=root, settings=tomllib.loads(text))


SETTINGS_TEMPLATE = """\
# uncounted workspace settings
[workspace]
name = "{name}"

[database]
# Leave empty for the SQLite file next to this one (uncounted.sqlite3), or give a URL:
# url = "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
# The environment variable UNCOUNTED_DATABASE_URL overrides this.
url = ""

[web]
secret_key = "{secret_key}"
"""
