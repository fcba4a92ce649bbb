"""``uncounted simulate`` writes a scenario; bad options are one clear line, exit 1."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "uncounted.cli", *args], capture_output=True, text=True, check=False
    )


def test_simulate_command_writes_the_scenario(tmp_path):
    out = tmp_path / "scenario"
    done = run("simulate", "--out", str(out), "--size", "400", "--seed", "7", "--independent")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["true_n"] == 400 and manifest["seed"] == 7
    assert manifest["config"]["independent"] is True
    assert "true N 400" in done.stdout
    for entry in manifest["lists"]:
        assert (out / entry["file"]).is_file()


def test_simulate_csv_only(tmp_path):
    done = run("simulate", "--out", str(tmp_path), "--size", "200", "--csv-only")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert {e["format"] for e in manifest["lists"]} == {"csv"}
    assert {e["encoding"] for e in manifest["lists"]} == {"utf-8"}


def test_simulate_refuses_bad_size(tmp_path):
    done = run("simulate", "--out", str(tmp_path), "--size", "0")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "--size" in done.stderr
    assert "Traceback" not in done.stderr
