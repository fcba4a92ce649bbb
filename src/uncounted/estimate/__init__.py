"""Multiple systems estimation from capture-history tables.

Configure an estimator, ``fit`` it on a :class:`CaptureTable`, read the frozen
:class:`EstimateResult`::

    table = CaptureTable.from_csv("kosovo.csv")
    result = LCMCR(seed=1).fit(table)
    result.estimate, result.interval(0.9), result.to_dict()

Estimators: :class:`LCMCR` (Bayesian latent classes), :class:`LogLinear` (Poisson log-linear
models with selection, Rcapture's heterogeneity models), :class:`DGA` (Bayesian averaging
over decomposable graphs). :func:`fit_strata` estimates many strata and sums their draws.
Pure numerics: no Django, no storage.
"""

from uncounted.estimate.dga import DGA, decomposable_graphs
from uncounted.estimate.lcmcr import LCMCR
from uncounted.estimate.loglinear import LogLinear, rcapture_models
from uncounted.estimate.result import EstimateResult
from uncounted.estimate.strata import StratifiedResult, fit_strata
from uncounted.estimate.table import CaptureTable

ESTIMATORS = {"lcmcr": LCMCR, "loglinear": LogLinear, "dga": DGA}


def __getattr__(name: str):
    """Plots import matplotlib, which is slow: load them only when asked for."""
    if name in ("posterior_plot_svg", "trace_plot_svg"):
        from uncounted.estimate import plots

        return getattr(plots, name)
    raise AttributeError(name)


__all__ = [
    "DGA",
    "ESTIMATORS",
    "LCMCR",
    "CaptureTable",
    "EstimateResult",
    "LogLinear",
    "StratifiedResult",
    "decomposable_graphs",
    "fit_strata",
    "posterior_plot_svg",
    "rcapture_models",
    "trace_plot_svg",
]
