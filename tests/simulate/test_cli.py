"""``uncounted simulate`` writes a scenario; bad options are one clear line, exit 1."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(run_uncounted):
    """Run ``uncounted ARGS...`` in-process as the console script does: exit code, output."""
    return lambda *args: Done(*run_uncounted(*args))


def test_simulate_command_writes_the_scenario(tmp_path, run):
    out = tmp_path / "scenario"
    done = run("simulate", "--out", str(out), "--size", "400", "--seed", "7", "--independent")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["true_n"] == 400 and manifest["seed"] == 7
    assert manifest["config"]["independent"] is True
    assert "true N 400" in done.stdout
    for entry in manifest["lists"]:
        assert (out / entry["file"]).is_file()


def test_simulate_csv_only(tmp_path, run):
    done = run("simulate", "--out", str(tmp_path), "--size", "200", "--csv-only")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert {e["format"] for e in manifest["lists"]} == {"csv"}
    assert {e["encoding"] for e in manifest["lists"]} == {"utf-8"}


def test_simulate_refuses_bad_size(tmp_path, run):
    done = run("simulate", "--out", str(tmp_path), "--size", "0")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "--size" in done.stderr
    assert "Traceback" not in done.stderr


def test_simulate_with_a_parameter_file(tmp_path, run):
    params = tmp_path / "params.toml"
    params.write_text(
        'size = 300\nseed = 4\nvisibility_sd = 0.5\n[death_year_weights]\n"2013" = 1.0\n\n'
        "[lists.death_notices]\nbase_rate = 0.6\ntypo_rate = 0.0\n"
        '[lists.ngo_arabic.year_effects]\n"2013" = -1.0\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = run("simulate", "--out", str(out), "--config", str(params), "--seed", "9")
    assert done.returncode == 0, done.stderr
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    assert m["true_n"] == 300 and m["seed"] == 9  # the option wins over the file
    assert m["config"]["visibility_sd"] == 0.5
    assert m["true_n_by"]["death_year"] == {"2013": 300}
    notices = next(s for s in m["config"]["lists"] if s["name"] == "death_notices")
    assert notices["base_rate"] == 0.6 and notices["typo_rate"] == 0.0


def test_simulate_refuses_a_bad_parameter_file(tmp_path, run):
    params = tmp_path / "params.toml"
    params.write_text("[lists.no_such_list]\nbase_rate = 0.5\n", encoding="utf-8")
    done = run("simulate", "--out", str(tmp_path / "o"), "--config", str(params))
    assert done.returncode == 1 and "no_such_list" in done.stderr and "Traceback" not in done.stderr
    params.write_text("sise = 10\n", encoding="utf-8")
    done = run("simulate", "--out", str(tmp_path / "o"), "--config", str(params))
    assert done.returncode == 1 and "'sise'" in done.stderr
    params.write_text("[lists.ngo_latin]\ntypo_rate = 2\n", encoding="utf-8")
    done = run("simulate", "--out", str(tmp_path / "o"), "--config", str(params))
    assert done.returncode == 1 and "typo_rate" in done.stderr
    params.write_text("size = \n", encoding="utf-8")
    done = run("simulate", "--out", str(tmp_path / "o"), "--config", str(params))
    assert done.returncode == 1 and "not a TOML file" in done.stderr
