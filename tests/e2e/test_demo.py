"""The main job end to end: ``uncounted demo``, then ``estimate`` and ``report`` on its workspace."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import DEMO_SIZE, Demo, uncounted

pytestmark = pytest.mark.slow


def test_demo_prints_the_headline_and_where_things_are(demo: Demo) -> None:
    out = demo.stdout
    for entry in demo.manifest["lists"]:
        assert entry["source"] in out
    assert "Documented persons" in out and "synthetic" in out
    assert re.search(r"Estimated total \(lcmcr\): [\d,]+ \(95% interval [\d,]+ – [\d,]+\)", out)
    assert f"True total in the simulated scenario: {DEMO_SIZE:,}" in out
    assert str(demo.root / "report.html") in out
    assert "uncounted --workspace" in out and "serve" in out and "report" in out
    assert (demo.root / "report.html").stat().st_size > 50_000


def test_estimate_interval_covers_the_simulated_truth(demo: Demo) -> None:
    result = uncounted("--workspace", str(demo.root), "estimate", "--json", "--seed", "7")
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert {"method", "observed", "estimate", "lower", "upper", "seed"} <= out.keys()
    assert out["method"] == "lcmcr" and out["seed"] == 7
    assert out["lower"] <= demo.manifest["true_n"] <= out["upper"], out


def test_stratified_estimate_flags_pools_and_counts_missing(demo: Demo) -> None:
    result = uncounted(
        "--workspace", str(demo.root), "estimate", "--by", "governorate", "--method",
        "loglinear", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    strata = out["strata"]
    assert out["missing"] >= 0
    assert sum(s["observed"] for s in strata) + out["missing"] == out["observed"]
    pooled = [s for s in strata if s["pooled"]]
    assert pooled and all(s["flag"] for s in pooled)  # 14 governorates, 1,500 persons


def test_estimate_and_report_errors_are_one_line(demo: Demo, tmp_path) -> None:
    bad = uncounted("--workspace", str(demo.root), "estimate", "--by", "shoe_size")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "not a field" in bad.stderr
    nowhere = uncounted("--workspace", str(tmp_path), "report")
    assert nowhere.returncode == 1 and "no workspace" in nowhere.stderr


def test_report_command_writes_where_asked(demo: Demo, tmp_path) -> None:
    target = tmp_path / "out" / "r.html"
    result = uncounted("--workspace", str(demo.root), "report", "--out", str(target))
    assert result.returncode == 0, result.stderr[-2000:]
    html = target.read_text(encoding="utf-8")
    assert "Campaign lists" in html and "<svg" in html
    assert "report --out" in html  # the command itself, in the reproducibility block


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path) -> None:
    (tmp_path / "keep.txt").write_text("important", encoding="utf-8")
    result = uncounted("demo", "--dir", str(tmp_path), "--size", "200")
    assert result.returncode == 1 and "not an earlier demo" in result.stderr
    assert (tmp_path / "keep.txt").exists()
