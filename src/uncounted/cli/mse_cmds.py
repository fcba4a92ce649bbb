"""``uncounted mse TABLE.csv``: multiple systems estimation straight from a capture table."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from uncounted.cli.common import console
from uncounted.errors import UserError


class Method(StrEnum):
    lcmcr = "lcmcr"
    loglinear = "loglinear"
    dga = "dga"


def register(app: typer.Typer) -> None:
    """Add ``mse`` to the CLI."""
    app.command("mse")(mse_command)


def mse_command(
    table: Annotated[Path, typer.Argument(help="Capture-history CSV: 0/1 list columns, count.")],
    method: Annotated[Method, typer.Option("--method", help="Estimator.")] = Method.lcmcr,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (recorded; same seed, same numbers).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    chains: Annotated[int, typer.Option("--chains", help="lcmcr: chains, run in parallel.")] = 4,
    iterations: Annotated[
        int, typer.Option("--iterations", help="lcmcr: kept draws per chain (after thinning).")
    ] = 1_000,
    burn_in: Annotated[int, typer.Option("--burn-in", help="lcmcr: burn-in iterations.")] = 10_000,
    thin: Annotated[int, typer.Option("--thin", help="lcmcr: keep every n-th iteration.")] = 100,
    k: Annotated[int, typer.Option("--K", help="lcmcr: number of latent classes.")] = 10,
    verdata: Annotated[
        bool, typer.Option("--verdata", help="lcmcr: HRDAG verdata practice (K, ≥3 lists).")
    ] = False,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="loglinear: auto (select interactions), Mt, M0, Mth-Chao, Mth-Darroch, "
            "Mth-Poisson2, Mth-Gamma3.5.",
        ),
    ] = "auto",
    criterion: Annotated[
        str, typer.Option("--criterion", help="loglinear: aic or bic for model selection.")
    ] = "aic",
    delta: Annotated[
        float | None, typer.Option("--delta", help="dga: hyper-Dirichlet prior (default 1/2^J).")
    ] = None,
    prior: Annotated[
        str, typer.Option("--prior", help="dga: prior on N: inverse, uniform or negbin.")
    ] = "inverse",
    compare: Annotated[
        bool,
        typer.Option(
            "--compare", help="loglinear: table of M0, Mt and the Mth models (as Rcapture)."
        ),
    ] = False,
) -> None:
    """Estimate the total (observed + unobserved) from a capture-history table."""
    from uncounted.estimate import DGA, LCMCR, CaptureTable, LogLinear

    capture = CaptureTable.from_csv(table)
    if capture.observed == 0:
        raise UserError(f"{table}: the table has no persons")
    if compare:
        _print_comparison(capture, as_json)
        return
    if method is Method.lcmcr:
        estimator = LCMCR(
            K=k, burn_in=burn_in, samples=iterations, thinning=thin, chains=chains, seed=seed,
            verdata=verdata,
        )  # fmt: skip
    elif method is Method.loglinear:
        estimator = LogLinear(model=model, criterion=criterion.lower(), seed=seed)
    else:
        estimator = DGA(delta=delta, prior=prior, seed=seed)
    if as_json:
        result = estimator.fit(capture)
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    with console.status(f"{method.value}: estimating from {capture.observed:,} persons"):
        result = estimator.fit(capture)
    console.print(result.summary, highlight=False, soft_wrap=True)


def _print_comparison(capture, as_json: bool) -> None:
    """Rcapture's closedp-style table: N̂, s.e., deviance, df, AIC, BIC per model."""
    from uncounted.estimate import rcapture_models
    from uncounted.estimate.result import json_safe

    if not 2 <= len(capture.active_lists()) <= 12:
        raise UserError("--compare: log-linear models need 2 to 12 lists with records")
    rows = rcapture_models(capture)
    if as_json:
        typer.echo(json.dumps(json_safe({"observed": capture.observed, "models": rows})))
        return
    console.print(f"observed {capture.observed:,}")
    console.print(
        f"{'model':<14}{'N':>12}{'s.e.':>10}{'deviance':>11}{'df':>5}{'AIC':>11}{'BIC':>11}"
    )
    for r in rows:
        n_hat = f"{r['estimate']:,.1f}" if r["estimate"] is not None else r["status"]
        se = f"{r['stderr']:,.1f}" if r["stderr"] is not None else "–"
        console.print(
            f"{r['model']:<14}{n_hat:>12}{se:>10}{r['deviance']:>11.2f}{r['df']:>5}"
            f"{r['aic']:>11.1f}{r['bic']:>11.1f}",
            highlight=False,
        )
