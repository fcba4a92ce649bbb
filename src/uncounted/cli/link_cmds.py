"""uncounted link, review, persons, export links, evaluate-links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from uncounted.cli.common import console, current_user, err_console, open_workspace
from uncounted.errors import UserError

export_app = typer.Typer(help="Export results.", no_args_is_help=True)

RLI, PDI = "\u2067", "\u2069"  # right-to-left isolate: bidi terminals lay Arabic out RTL

SHOWN_FIELDS = (
    ("full_name", "name"),
    ("given_name", "given"),
    ("father_name", "father"),
    ("grandfather_name", "grandfather"),
    ("family_name", "family"),
    ("mother_name", "mother"),
    ("sex", "sex"),
    ("birth_date", "born"),
    ("age", "age"),
    ("governorate", "governorate"),
    ("district", "district"),
    ("registry_number", "registry no."),
    ("arrest_date", "arrested"),
    ("detention_facility", "facility"),
    ("detainee_number", "detainee no."),
    ("death_date", "died"),
    ("status", "status"),
)


def register(app: typer.Typer) -> None:
    app.command("link")(link_command)
    app.command("review")(review_command)
    app.command("persons")(persons_command)
    app.command("evaluate-links")(evaluate_command)
    export_app.command("links")(export_links_command)
    app.add_typer(export_app, name="export")


def link_command(
    ctx: typer.Context,
    official: Annotated[
        list[str] | None,
        typer.Option(
            "--official",
            help="A list that names each person at most once (repeatable): never two of "
            "its records in one person unless a person decided so.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling during training.")] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Go ahead even if an earlier run looks unfinished.")
    ] = False,
    show: Annotated[
        bool, typer.Option("--show", help="Show the current run and its model; link nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
) -> None:
    """Link all records into persons (within and across lists); human decisions win."""
    workspace = open_workspace(ctx)
    from uncounted.link.pipeline import LinkParameters
    from uncounted.link.store import current_run, run_and_store

    if show:
        run = current_run()
        if run is None:
            raise UserError("no link run yet: run 'uncounted link' first")
    else:
        params = LinkParameters(seed=seed, exclusive_sources=tuple(official or ()))
        with console.status("linking…") as status:
            run = run_and_store(
                current_user(),
                params,
                force=force,
                progress=lambda m: status.update(m),
                runs_dir=workspace.runs_dir,
            )
    if as_json:
        typer.echo(json.dumps(_run_dict(run), ensure_ascii=False, indent=2, default=str))
        return
    _print_run(run, show_model=show)


def _run_dict(run) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "version": run.version,
        "parameters": run.parameters,
        "counts": run.counts,
        "blocking": run.blocking,
        "cluster_sizes": run.cluster_sizes,
        "timings": run.timings,
        "model": run.model,
    }


def _print_run(run, show_model: bool) -> None:
    c = run.counts
    console.print(
        f"link run {run.pk}: {c.get('records', 0):,} records from {c.get('sources', 0)} lists "
        f"→ [bold]{c.get('persons', 0):,} persons[/] "
        f"({c.get('timings_total', run.timings.get('total', 0))} s)"
    )
    if c.get("sources") == 1:
        console.print("one list only: duplicates within it were merged (deduplication only)")
    if c.get("records_without_name"):
        console.print(
            f"{c['records_without_name']:,} records have no name at all: each is its own "
            "person, flagged 'no_name'"
        )
    table = Table(title="blocking: pairs each rule adds, and matches among them")
    for col in ("rule", "pairs", "matches"):
        table.add_column(col, justify="left" if col == "rule" else "right")
    for row in run.blocking:
        table.add_row(row["rule"], f"{row['pairs']:,}", f"{row['matches']:,}")
    console.print(table)
    sizes = ", ".join(f"{k}: {v:,}" for k, v in run.cluster_sizes.items())
    console.print(f"persons by number of records: {sizes}")
    console.print(
        f"suspect persons flagged: {c.get('flagged_persons', 0):,} · "
        f"clusters split to avoid chaining: {c.get('components_split', 0):,} · "
        f"pairs waiting for review: {c.get('review_items', 0):,} (uncounted review)"
    )
    if show_model:
        _print_model(run.model)


def _print_model(model: dict[str, Any]) -> None:
    from uncounted.link.model import level_weights

    console.print(
        f"prior (probability two random records match): "
        f"{model.get('probability_two_random_records_match', 0):.3g}"
    )
    table = Table(title="match weight per comparison level (log2 m/u)")
    for col in ("comparison", "level", "m", "u", "weight"):
        table.add_column(col, justify="right" if col in ("m", "u", "weight") else "left")
    for row in level_weights(model):
        table.add_row(
            row["description"] or row["comparison"],
            row["level"] + (" (tf)" if row["tf"] else ""),
            _num(row["m"]),
            _num(row["u"]),
            _num(row["match_weight"]),
        )
    console.print(table)


def _num(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, int | float) else "—"


def _rtl(text: str) -> str:
    from uncounted.names.text import has_arabic

    return f"{RLI}{text}{PDI}" if text and has_arabic(text) else text


def _record_values(pk: int) -> dict[str, str]:
    from uncounted.store.core.models import Record

    record = Record.objects.select_related("source").get(pk=pk)
    values = {"list": f"{record.source.name} #{record.record_id}"}
    for field, label in SHOWN_FIELDS:
        value = getattr(record, field)
        values[label] = "" if value is None else str(value)
    return values


def _show_pair(item) -> None:
    a, b = _record_values(item.record_a_id), _record_values(item.record_b_id)
    table = Table(
        title=f"pair {item.pk}: match probability {item.match_probability:.2f} "
        f"(now {'one person' if item.same_person_now else 'two persons'})"
    )
    table.add_column("")
    table.add_column("record A", justify="right")
    table.add_column("record B", justify="right")
    for label in a:
        if a[label] or b[label]:
            table.add_row(label, _rtl(a[label]), _rtl(b[label]))
    console.print(table)
    parts = [
        f"{e['description']}: {e['level']} ({e['weight']:+.1f})"
        for e in item.explanation
        if e.get("level") != "missing" and e.get("weight") is not None
    ]
    if parts:
        console.print("why: " + "; ".join(parts))


ANSWERS = {"s": "must_link", "d": "cannot_link", "u": "unsure"}


def review_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Stop after this many pairs.")] = 20,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the queue; decide nothing.")
    ] = False,
) -> None:
    """Review uncertain pairs one by one: same person, different persons, or unsure."""
    open_workspace(ctx)
    from uncounted.link.decisions import claim_review_item, record_decision, release_review_item
    from uncounted.store.linkage.models import ReviewItem

    if list_only:
        items = ReviewItem.objects.filter(status="open")[:limit]
        table = Table(
            title=f"review queue ({ReviewItem.objects.filter(status='open').count():,} open)"
        )
        for col in ("item", "record A", "record B", "probability", "priority"):
            table.add_column(col)
        for it in items:
            table.add_row(
                str(it.pk),
                str(it.record_a_id),
                str(it.record_b_id),
                f"{it.match_probability:.2f}",
                f"{it.priority:.2f}",
            )
        console.print(table)
        return
    actor = current_user()
    done = 0
    while done < limit:
        item = claim_review_item(actor)
        if item is None:
            console.print("the review queue is empty" if done == 0 else "no more pairs to review")
            break
        _show_pair(item)
        answer = (
            typer.prompt(
                "[s]ame person, [d]ifferent persons, [u]nsure, [k] skip, [q]uit", default="k"
            )
            .strip()
            .lower()[:1]
        )
        if answer == "q":
            release_review_item(item.pk, actor)
            break
        if answer not in ANSWERS:
            release_review_item(item.pk, actor)
            done += 1
            continue
        note = typer.prompt("why (optional)", default="", show_default=False)
        record_decision(ANSWERS[answer], actor, item.record_a_id, item.record_b_id, note=note)
        console.print(f"recorded: {ANSWERS[answer]} (applies at the next 'uncounted link')")
        done += 1


def persons_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many persons.")] = 50,
    person: Annotated[str | None, typer.Option("--person", help="One person's id.")] = None,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only suspect persons.")] = False,
    multi: Annotated[
        bool, typer.Option("--multi", help="Only persons found in more than one record.")
    ] = False,
) -> None:
    """List persons with their records and lists."""
    open_workspace(ctx)
    from uncounted.link.store import current_run
    from uncounted.store.linkage.models import Membership, Person

    if current_run() is None:
        raise UserError("no link run yet: run 'uncounted link' first")
    people = Person.objects.filter(active=True).order_by("public_id")
    if person:
        people = people.filter(public_id=person)
        if not people.exists():
            raise UserError(f"no person {person}")
    if flagged:
        people = people.exclude(flags=[])
    if multi:
        people = people.filter(record_count__gt=1)
    total = people.count()
    table = Table(title=f"persons ({total:,}{', first ' + str(limit) if total > limit else ''})")
    for col in ("person", "records", "lists", "flags", "record", "name"):
        table.add_column(col, justify="right" if col == "name" else "left")
    chosen = list(people[:limit])
    members = (
        Membership.objects.filter(person__in=chosen)
        .select_related("record__source")
        .order_by("person_id", "record_id")
    )
    by_person: dict[int, list] = {}
    for m in members:
        by_person.setdefault(m.person_id, []).append(m.record)
    for p in chosen:
        for k, rec in enumerate(by_person.get(p.pk, [])):
            table.add_row(
                p.public_id if k == 0 else "",
                str(p.record_count) if k == 0 else "",
                ", ".join(p.sources) if k == 0 else "",
                ", ".join(p.flags) if k == 0 else "",
                f"{rec.source.name} #{rec.record_id}",
                _rtl(
                    rec.full_name
                    or " ".join(x for x in (rec.given_name, rec.father_name, rec.family_name) if x)
                ),
            )
    console.print(table)


def export_links_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
) -> None:
    """Write source,record_id,person_id: one row per imported record."""
    open_workspace(ctx)
    from uncounted.link.store import export_links

    n = export_links(out)
    err_console.print(f"{n:,} records written to {out}")


def evaluate_command(
    ctx: typer.Context,
    truth: Annotated[Path, typer.Option("--truth", help="truth.csv: source,record_id,person_id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Compare the persons with a known truth (simulated scenarios)."""
    workspace = open_workspace(ctx)
    from uncounted.link.store import evaluate_current

    result = evaluate_current(truth, workspace.runs_dir)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    _print_evaluation(result)


def _print_evaluation(r: dict[str, Any]) -> None:
    console.print(
        f"records evaluated: {r['records_evaluated']:,} (without truth: "
        f"{r['records_without_truth']:,})"
    )
    console.print(
        f"persons: {r['persons_found']:,} found, {r['persons_true']:,} true "
        f"({r['persons_difference_pct']:+.2f}%)"
    )
    table = Table(title="pairwise and B-cubed")
    for col in ("measure", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for key, label in (
        ("pairwise_before_clustering", "pairs before clustering"),
        ("pairwise_after_clustering", "pairs after clustering"),
        ("bcubed", "B-cubed"),
    ):
        for scope, figures in (("", r), ("linkable: ", r.get("linkable", {}))):
            if key in figures:
                m = figures[key]
                table.add_row(
                    scope + label, f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}"
                )
    console.print(table)
    if "linkable" in r:
        lk = r["linkable"]
        ok = sum(c["within_tolerance"] for c in lk["capture_cells"])
        console.print(
            f"linkable records (two name parts or a registry number): "
            f"{lk['records_evaluated']:,}; too sparse to link: {r['records_unlinkable']:,}; "
            f"persons {lk['persons_found']:,} found, {lk['persons_true']:,} true "
            f"({lk['persons_difference_pct']:+.2f}%); capture cells within tolerance "
            f"{ok}/{len(lk['capture_cells'])}"
        )
    cells = r["capture_cells"]
    lists = (
        [
            k
            for k in cells[0]
            if k not in ("count_true", "count_found", "difference", "within_tolerance")
        ]
        if cells
        else []
    )
    table = Table(title="capture histories: found vs true")
    for col in (*lists, "true", "found", "diff", "ok"):
        table.add_column(col, justify="right")
    for c in cells:
        table.add_row(
            *(str(c[x]) for x in lists),
            str(c["count_true"]),
            str(c["count_found"]),
            f"{c['difference']:+d}",
            "yes" if c["within_tolerance"] else "NO",
        )
    console.print(table)
