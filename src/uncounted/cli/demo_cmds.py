"""``uncounted demo``: the main job end to end on a simulated scenario with a known truth.

simulate → new workspace → import every list with its mapping → link → estimate (overall
with three estimators; by governorate, year of death and facility) → report. The scenario
is kept inside the workspace (``scenario/``), so the report can set the truth beside the
estimates, and the user can rerun any stage by hand afterwards.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from uncounted.cli.common import console, current_user
from uncounted.cli.estimate_cmds import command_line, fmt, progress_bar
from uncounted.errors import UserError

SCENARIO = "scenario"
STRATIFIED = (("governorate",), ("death_year",), ("detention_facility",), ("arresting_party",))
SIDE_METHODS = ("loglinear", "dga")
# Per-stratum LCMCR in the demo: 2 chains of 10,000 burn-in + 20,000 iterations (R-hat
# still reported). The overall estimate keeps the estimator's full defaults.
STRATUM_LCMCR = {"chains": 2, "burn_in": 10_000, "samples": 1_000, "thinning": 20}


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


@dataclass
class DemoResult:
    """What the demo made, for the summary it prints (and for tests)."""

    root: Path
    report: Path
    true_n: int
    true_observed: int
    records: dict[str, int] = field(default_factory=dict)
    persons: int = 0
    estimate: object = None
    timings: dict[str, float] = field(default_factory=dict)


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo workspace (replaced if a demo).")
    ] = Path("uncounted-demo"),
    size: Annotated[int, typer.Option("--size", help="Persons in the true population.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the scenario and estimates.")] = 1,
) -> None:
    """Simulate deaths in detention and five lists, then import, link, estimate and report."""
    if size < 100:
        raise UserError("--size must be at least 100 persons")
    console.print(
        f"[bold]uncounted demo[/]: {size:,} simulated deaths in detention, recorded (in part, "
        "with errors, in Arabic and Latin script) by five lists. The names are synthetic and "
        "the true total is known, so you can see how close the estimate comes."
    )
    result = run_demo(directory, size, seed, command=command_line())
    print_summary(result)


def prepare_folder(directory: Path) -> Path:
    """A fresh folder: an earlier demo there is replaced, anything else is refused."""
    from uncounted.store.workspace import SETTINGS_FILE

    root = directory.expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        earlier_demo = (root / SETTINGS_FILE).is_file() and (
            root / SCENARIO / "manifest.json"
        ).is_file()
        if not earlier_demo:
            raise UserError(f"{root} exists and is not an earlier demo: choose another --dir")
        shutil.rmtree(root)
    return root


def run_demo(directory: Path, size: int, seed: int, command: str = "") -> DemoResult:
    """Every stage, each with its own progress bar; returns what the summary needs."""
    from uncounted.simulate import SimulationConfig, simulate
    from uncounted.store import workspace as ws
    from uncounted.store.db import open_database

    root = prepare_folder(directory)
    timings: dict[str, float] = {}
    with progress_bar(console) as bar:
        started = time.perf_counter()
        task = bar.add_task(f"simulating {size:,} persons", total=1)
        scenario = simulate(SimulationConfig(size=size, seed=seed), root / SCENARIO)
        bar.update(task, completed=1)
        timings["simulate"] = time.perf_counter() - started

        workspace = ws.create(root, name="uncounted demo")
        open_database(workspace)
        refuse_a_used_database(workspace)
        records = import_lists(scenario.manifest, root / SCENARIO, bar, timings)
        persons = link(bar, timings, seed)
        estimate = estimate_all(bar, timings, seed, command)

        started = time.perf_counter()
        task = bar.add_task("writing the report", total=1)
        from uncounted.report.collect import write_report

        report = write_report(workspace, root / "report.html", commands=[command])
        bar.update(task, completed=1)
        timings["report"] = time.perf_counter() - started
    return DemoResult(
        root,
        report,
        scenario.manifest["true_n"],
        scenario.manifest["observed_n"],
        records,
        persons,
        estimate,
        timings,
    )


def refuse_a_used_database(workspace) -> None:
    """The demo must never mix its synthetic lists into real ones (UNCOUNTED_DATABASE_URL)."""
    from uncounted.store.core.models import Source

    if Source.objects.exists():
        where = workspace.database_url.split("@")[-1]
        raise UserError(
            f"the database {where} already holds lists: the demo needs an empty one "
            "(unset UNCOUNTED_DATABASE_URL to use the demo folder's own SQLite file)"
        )


def import_lists(manifest: dict, folder: Path, bar, timings: dict[str, float]) -> dict[str, int]:
    """Import every list of the scenario with its mapping, as a documentation officer would."""
    from uncounted.records.importer import import_file

    started = time.perf_counter()
    counts: dict[str, int] = {}
    task = bar.add_task("importing lists", total=sum(e["records"] for e in manifest["lists"]))
    base = 0
    for entry in manifest["lists"]:
        bar.update(task, description=f"importing {entry['source']}"[:28])
        mapping = folder / entry["mapping"] if entry.get("mapping") else None

        def moved(done: int, total: int, base: int = base, rows: int = entry["records"]) -> None:
            bar.update(task, completed=base + rows * done / max(total, 1))  # bytes read

        report = import_file(
            folder / entry["file"],
            entry["source"],
            mapping=mapping,
            actor=current_user(),
            encoding=entry.get("encoding"),
            progress=moved,
        )
        counts[entry["source"]] = report.records_created + report.records_updated
        base += entry["records"]
        bar.update(task, completed=base)
    bar.update(task, description="importing lists")
    timings["import"] = time.perf_counter() - started
    return counts


def link(bar, timings: dict[str, float], seed: int) -> int:
    """Link all records into persons (Splink model trained on this workspace)."""
    from uncounted.link.pipeline import LinkParameters
    from uncounted.link.store import run_and_store
    from uncounted.store.linkage.models import Person

    started = time.perf_counter()
    task = bar.add_task("linking records", total=None)

    def say(message: str) -> None:
        bar.update(task, description=message[:28])

    run_and_store(current_user(), LinkParameters(seed=seed), progress=say)
    bar.update(task, description="linking records", completed=1, total=1)
    timings["link"] = time.perf_counter() - started
    return Person.objects.filter(active=True).count()


def estimate_all(bar, timings: dict[str, float], seed: int, command: str):
    """LCMCR overall and by stratum; the other estimators overall, for the sensitivity table."""
    from uncounted.store.estimates import service

    started = time.perf_counter()
    persons, sources = service.load_persons([f for by in STRATIFIED for f in by])
    runs = [((), "lcmcr"), *(((), m) for m in SIDE_METHODS), *((by, "lcmcr") for by in STRATIFIED)]
    task = bar.add_task("estimating", total=len(runs))
    overall = None
    for done, (by, method) in enumerate(runs, start=1):
        stored = service.run(
            by=list(by),
            method=method,
            seed=seed,
            actor=current_user(),
            command=command,
            persons=persons,
            sources=sources,
            stratum_params=STRATUM_LCMCR,
        )
        overall = overall or stored
        bar.update(task, completed=done)
    timings["estimate"] = time.perf_counter() - started
    return overall


def print_summary(result: DemoResult) -> None:
    """The headline numbers, where everything is, and what to try next."""
    table = Table(title="Lists imported", title_justify="left")
    table.add_column("list")
    table.add_column("records", justify="right")
    for name, count in result.records.items():
        table.add_row(name, f"{count:,}")
    table.add_row("[bold]all lists[/]", f"[bold]{sum(result.records.values()):,}[/]")
    console.print(table)
    e = result.estimate
    console.print(
        f"Documented persons (distinct persons on any list, after linkage): [bold]{result.persons:,}[/]"
    )
    console.print(
        f"Estimated total ({e.method}): [bold]{fmt(e.estimate)}[/] "
        f"(95% interval {fmt(e.lower)} – {fmt(e.upper)})"
    )
    covered = "inside" if e.lower <= result.true_n <= e.upper else "OUTSIDE"
    console.print(
        f"True total in the simulated scenario: [bold]{result.true_n:,}[/] ({covered} the "
        f"interval), of whom {result.true_observed:,} are on at least one list"
    )
    console.print(f"Workspace: {result.root}")
    console.print(f"Report:    [bold]{result.report}[/]")
    console.print(f"Took {sum(result.timings.values()):.0f} s ({_timings(result.timings)})")
    console.print("Next:")
    console.print(
        f"  uncounted --workspace {result.root} serve      # review matches, search, dashboards"
    )
    console.print(f"  uncounted --workspace {result.root} estimate --by sex,death_year")
    console.print(f"  uncounted --workspace {result.root} report --out report.html")


def _timings(timings: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
