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
) -> None:
    """Estimate the total (observed + unobserved) from a capture-history table."""
    from uncounted.estimate import DGA, LCMCR, CaptureTable, LogLinear

    capture = CaptureTable.from_csv(table)
    if capture.observed == 0:
        raise UserError(f"{table}: the table has no persons")
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
