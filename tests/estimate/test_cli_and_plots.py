"""``uncounted mse`` (contract JSON keys, errors as one line) and the SVG plots."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from uncounted.cli.main import app
from uncounted.estimate import DGA, LCMCR, LogLinear, posterior_plot_svg, trace_plot_svg

runner = CliRunner()


def test_mse_json_contract(mse_dir):
    path = mse_dir / "conting_spina.csv"
    for method in ("dga", "loglinear"):
        out = runner.invoke(app, ["mse", str(path), "--method", method, "--seed", "7", "--json"])
        assert out.exit_code == 0, out.output
        data = json.loads(out.output)
        for key in ("method", "observed", "estimate", "lower", "upper", "seed"):
            assert key in data
        assert data["method"] == method and data["observed"] == 621 and data["seed"] == 7
        assert data["lower"] <= data["estimate"] <= data["upper"]


def test_mse_lcmcr_options_and_text_output(mse_dir):
    path = mse_dir / "LCMCR_kosovo_aggregate.csv"
    args = ["mse", str(path), "--seed", "3", "--chains", "2", "--iterations", "100",
            "--burn-in", "100", "--thin", "2", "--K", "5", "--json"]  # fmt: skip
    first = json.loads(runner.invoke(app, args).output)
    second = json.loads(runner.invoke(app, args).output)
    assert first["estimate"] == second["estimate"] and first["parameters"]["K"] == 5
    text = runner.invoke(app, ["mse", str(path), "--method", "loglinear", "--model", "Mt"])
    assert "4,400" in text.output and "Mt" in text.output


def test_mse_user_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B,count\n1,2,3\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "uncounted.cli", "mse", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "row 2, column 'B'" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_plots_are_svg(load):
    table = load("conting_spina")
    sampled = LCMCR(chains=2, burn_in=50, samples=100, thinning=1, seed=1).fit(table)
    for svg in (
        trace_plot_svg(sampled),
        posterior_plot_svg(sampled),
        posterior_plot_svg(DGA().fit(table)),
        posterior_plot_svg(LogLinear(model="Mt").fit(table)),
    ):
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_mse_compare_lists_rcapture_models(mse_dir):
    out = runner.invoke(app, ["mse", str(mse_dir / "Rcapture_hare.csv"), "--compare", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    models = {m["model"]: m for m in data["models"]}
    assert round(models["Mth-Poisson2"]["estimate"], 1) == 81.1
    text = runner.invoke(app, ["mse", str(mse_dir / "Rcapture_hare.csv"), "--compare"]).output
    assert "Mth-Gamma3.5" in text and "AIC" in text
