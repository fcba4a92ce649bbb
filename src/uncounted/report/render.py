"""Render :class:`~uncounted.report.model.ReportData` as one self-contained HTML file.

No external asset of any kind (no fonts, scripts or stylesheets fetched): CSS is inline and
plots are inline SVG, so the file opens offline, can be mailed, and prints cleanly. The page
is English, left to right; every name is wrapped in ``<bdi dir="auto">`` so that Arabic
names are shaped and read right to left inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from uncounted.names.text import has_arabic
from uncounted.report import plots
from uncounted.report.model import (
    CampaignLists,
    EstimateRow,
    EstimateTable,
    LinkageQuality,
    PersonRow,
    Ranking,
    ReportData,
    SourceSummary,
)

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9dee4; --doc:#3b6ea8; --est:#c2541b; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", "Segoe UI", Arial, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 64rem; padding: 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid var(--ink); padding-bottom: .2rem; margin-top: 2.4rem; }
h3 { margin-top: 1.6rem; }
.meta, .note, figcaption { color: var(--muted); font-size: .88rem; }
.headline { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.headline div { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; flex: 1 1 12rem; }
.headline .big { font-size: 1.6rem; font-weight: bold; display: block; }
.headline .doc .big { color: var(--doc); } .headline .est .big { color: var(--est); }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .86rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.pooled td { background: #fff8e6; }
.people td:nth-child(2) { min-width: 11rem; }
bdi.ar { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", serif; font-size: 1.05em; }
figure { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
svg.plot { max-width: 100%; height: auto; display: block; }
nav ol { columns: 2; font-size: .9rem; }
pre, code { font-family: "DejaVu Sans Mono", monospace; font-size: .82rem; }
pre { background: #f3f5f7; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.flag { color: #8a5a00; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  h2 { page-break-before: always; break-before: page; }
  h2.first { page-break-before: avoid; break-before: avoid; }
  tr, figure { page-break-inside: avoid; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

SECTIONS = (
    ("sources", "Sources"),
    ("overlaps", "Overlaps between lists"),
    ("estimates", "Documented and estimated"),
    ("sensitivity", "Sensitivity to the estimator"),
    ("linkage", "Linkage quality"),
    ("campaign", "Campaign lists"),
    ("method", "Method notes"),
    ("reproducibility", "Reproducibility"),
)


def render(data: ReportData) -> str:
    """The whole report as one HTML document."""
    body = "\n".join(
        [
            _header(data),
            _nav(),
            _sources(data.sources),
            _overlaps(data),
            _estimates(data),
            _sensitivity(data),
            _linkage(data.linkage),
            _campaign(data.campaign),
            _method_notes(data),
            _reproducibility(data),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(data.title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def num(value: float | int | None) -> str:
    """A count with thousands separators ('–' when unknown)."""
    return "–" if value is None else f"{value:,.0f}"


def interval(row: EstimateRow) -> str:
    if row.lower is None or row.upper is None:
        return "–"
    return f"{num(row.lower)} – {num(row.upper)}"


def name_html(text: str) -> str:
    """A name isolated in its own direction; Arabic gets an Arabic font and lang."""
    if not text:
        return ""
    if has_arabic(text):
        return f'<bdi dir="rtl" lang="ar" class="ar">{escape(text)}</bdi>'
    return f'<bdi dir="auto">{escape(text)}</bdi>'


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: set[int],
    shaded: Sequence[bool] = (),
) -> str:
    """An HTML table; cells are already-escaped HTML; columns in ``numeric`` align right."""
    head = "".join(
        f'<th class="num">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for n, cells in enumerate(rows):
        cls = ' class="pooled"' if n < len(shaded) and shaded[n] else ""
        body.append(
            f"<tr{cls}>"
            + "".join(
                f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _section(key: str, content: str, first: bool = False) -> str:
    title = dict(SECTIONS)[key]
    cls = ' class="first"' if first else ""
    return f'<section id="{key}">\n<h2{cls}>{escape(title)}</h2>\n{content}\n</section>'


def _header(data: ReportData) -> str:
    o = data.overall
    cards = []
    if o is not None:
        cards.append(
            f'<div class="doc"><span class="big">{num(o.observed)}</span>documented persons</div>'
        )
        if o.estimate is not None:
            cards.append(
                f'<div class="est"><span class="big">{num(o.estimate)}</span>'
                f"estimated in total (95% interval {interval(o)}; {escape(data.method)})</div>"
            )
            cards.append(
                f'<div><span class="big">{num(o.estimate - o.observed)}</span>'
                "estimated undocumented</div>"
            )
        if o.truth is not None:
            cards.append(
                f'<div><span class="big">{num(o.truth)}</span>true total (simulated scenario)</div>'
            )
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in data.notes)
    return (
        f"<header><h1>{escape(data.title)}</h1>"
        f'<p class="meta">Workspace {escape(data.workspace)} · generated {escape(data.generated_at)}'
        f'</p><div class="headline">{"".join(cards)}</div>{notes}</header>'
    )


def _nav() -> str:
    items = "".join(f'<li><a href="#{k}">{escape(t)}</a></li>' for k, t in SECTIONS)
    return f'<nav aria-label="Contents"><ol>{items}</ol></nav>'


def _dates(span: tuple[str, str] | None) -> str:
    return "–" if span is None else f"{escape(span[0])} to {escape(span[1])}"


def _sources(sources: Sequence[SourceSummary]) -> str:
    fields = list(dict.fromkeys(f for s in sources for f in s.completeness))
    rows = [
        [
            name_html(s.name),
            num(s.records),
            num(s.persons),
            num(s.duplicates),
            _dates(s.death_dates),
            _dates(s.arrest_dates),
        ]
        for s in sources
    ]
    main = _table(
        ["List", "Records", "Persons", "Duplicates within", "Death dates", "Arrest dates"],
        rows,
        {1, 2, 3},
    )
    comp = _table(
        ["List", *fields],
        [
            [name_html(s.name), *(f"{s.completeness.get(f, 0):.0%}" for f in fields)]
            for s in sources
        ],
        set(range(1, len(fields) + 1)),
    )
    return _section(
        "sources",
        main + '<p class="note">Duplicates within a list are records that linkage joined to a '
        "person already on the same list.</p><h3>Completeness of key fields</h3>"
        + '<p class="note">Share of each list\'s records with a value.</p>'
        + comp,
        first=True,
    )


def _overlaps(data: ReportData) -> str:
    if not data.overlaps:
        return _section(
            "overlaps", "<p>No linked persons yet: run <code>uncounted link</code>.</p>"
        )
    names = [s.name for s in data.sources]
    svg = plots.upset(data.overlaps, names)
    top = sorted(data.overlaps.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [[" + ".join(map(name_html, combo)), num(count)] for combo, count in top]
    return _section(
        "overlaps",
        _figure(
            svg,
            "Persons found on exactly this combination of lists (top bars), the lists in each "
            "combination (dots) and the persons on each list (left).",
        )
        + "<details><summary>All combinations</summary>"
        + _table(["Lists", "Persons"], rows, {1})
        + "</details>",
    )


def _estimate_table(table: EstimateTable, horizontal: bool) -> str:
    show_truth = any(r.truth is not None for r in table.rows)
    rows = []
    for r in table.rows:
        cells = [escape(r.label), num(r.observed), num(r.estimate), interval(r)]
        if show_truth:
            cells.append(num(r.truth))
        cells.append(f'<span class="flag">{escape(r.note)}</span>' if r.note else "")
        rows.append(cells)
    if table.total is not None:
        t = table.total
        rows.append(
            ["<strong>Sum of strata</strong>", num(t.observed), num(t.estimate), interval(t)]
            + ([num(t.truth)] if show_truth else [])
            + [escape(t.note)]
        )
    headers = ["Stratum", "Documented", "Estimate", "95% interval"]
    headers += ["True (simulated)"] if show_truth else []
    headers.append("Note")
    svg = plots.documented_vs_estimated(table.rows, table.title, horizontal=horizontal)
    missing = (
        f'<p class="note">{num(table.missing)} documented persons have no value for '
        f"{escape(table.field)}: they count in the overall estimate but in no row here.</p>"
    )
    if show_truth and table.missing:
        missing += (
            '<p class="note">The true (simulated) count of a stratum includes its persons '
            "whose records give no value, so it is not directly comparable.</p>"
        )
    missing += "".join(f'<p class="flag">Warning: {escape(w)}.</p>' for w in table.warnings)
    return (
        f"<h3>{escape(table.title)}</h3>"
        + _figure(svg, f"Documented (bars) and estimated (points, 95% interval); {table.method}.")
        + _table(
            headers,
            rows,
            {1, 2, 3, 4} if show_truth else {1, 2, 3},
            shaded=[r.pooled for r in table.rows],
        )
        + missing
    )


def _estimates(data: ReportData) -> str:
    parts = []
    o = data.overall
    if o is None:
        parts.append("<p>No estimate stored yet: run <code>uncounted estimate</code>.</p>")
    else:
        parts.append(
            _table(
                ["", "Documented", "Estimate", "95% interval", "Method"],
                [
                    [
                        "All persons",
                        num(o.observed),
                        num(o.estimate),
                        interval(o),
                        escape(data.method),
                    ]
                ],
                {1, 2, 3},
            )
        )
    if data.by_year is not None:
        parts.append(_estimate_table(data.by_year, horizontal=False))
    if data.by_governorate is not None:
        parts.append(_estimate_table(data.by_governorate, horizontal=True))
    parts.extend(_estimate_table(t, horizontal=True) for t in data.other_tables)
    parts.append(
        f'<p class="note"><strong>Pooling rule.</strong> {escape(data.pooling_rule)} '
        "Pooled rows are shaded.</p>"
    )
    return _section("estimates", "\n".join(parts))


def _sensitivity(data: ReportData) -> str:
    if not data.methods or data.overall is None:
        return _section("sensitivity", "<p>No estimate stored yet.</p>")
    rows = [
        [
            escape(m.method),
            num(m.estimate),
            "–" if m.lower is None else f"{num(m.lower)} – {num(m.upper)}",
            escape(m.note),
        ]
        for m in data.methods
    ]
    posterior = _figure(data.posterior_svg, "Posterior of the total") if data.posterior_svg else ""
    return _section(
        "sensitivity",
        "<p>The same capture histories through different estimators. Each makes different "
        "assumptions about how lists depend on each other and how visibility varies between "
        "people; when they agree, the result does not hinge on one model. When they differ, "
        "the latent-class model (LCMCR) is usually the most robust to unequal visibility.</p>"
        + _figure(
            plots.methods_side_by_side(data.methods, data.overall.observed),
            "Estimate and 95% interval by estimator; dashed line: documented persons.",
        )
        + _table(["Estimator", "Estimate", "95% interval", "Note"], rows, {1, 2})
        + posterior,
    )


def _linkage(q: LinkageQuality | None) -> str:
    if q is None:
        return _section("linkage", "<p>No link run yet: run <code>uncounted link</code>.</p>")
    parts = [
        f"<p>Link run {escape(q.run_id)}: {num(q.records)} records joined into "
        f"{num(q.persons)} persons; {num(q.flagged_clusters)} persons flagged as suspect "
        f"clusters; <strong>{num(q.awaiting_review)} pairs awaiting review</strong>.</p>"
    ]
    if q.levels:
        parts.append(
            _figure(
                plots.match_weights(q.levels),
                "How much each comparison outcome counts for or against two records being "
                "one person, as trained on this workspace.",
            )
        )
    if q.cluster_sizes:
        parts.append(_figure(plots.cluster_sizes(q.cluster_sizes), "Records per person."))
    if q.review_weights:
        parts.append(
            _figure(
                plots.histogram(q.review_weights, "match weight", "Pairs awaiting review"),
                "Match weights of the pairs awaiting a person's decision.",
            )
        )
    decisions = [[escape(k), num(v)] for k, v in sorted(q.decisions.items())]
    parts.append("<h3>Decisions made by people</h3>")
    parts.append(
        _table(["Decision", "Count"], decisions, {1})
        if decisions
        else "<p>None yet: every link is the model's.</p>"
    )
    return _section("linkage", "\n".join(parts))


PERSON_HEADERS = [
    "Person",
    "Name",
    "Sex",
    "Age",
    "Governorate",
    "Facility",
    "Arrested by",
    "Arrested",
    "Died",
    "Status",
    "Lists",
]


def _person_rows(people: Sequence[PersonRow]) -> list[list[str]]:
    return [
        [
            escape(p.person_id),
            name_html(p.name),
            escape(p.sex),
            escape(p.age),
            escape(p.governorate),
            name_html(p.facility),
            name_html(p.arresting_party),
            escape(p.arrest_date),
            escape(p.death_date),
            escape(p.status),
            escape(p.sources),
        ]
        for p in people
    ]


def _people(people: Sequence[PersonRow]) -> str:
    return f'<div class="people">{_table(PERSON_HEADERS, _person_rows(people), set())}</div>'


def _ranking_table(items: Sequence[Ranking], what: str) -> str:
    rows = [
        [
            name_html(r.name),
            num(r.documented),
            num(r.estimate),
            "–" if r.lower is None else f"{num(r.lower)} – {num(r.upper)}",
            escape(r.note),
        ]
        for r in items
    ]
    return _table(
        [what, "Documented deaths", "Estimated deaths", "95% interval", "Note"], rows, {1, 2, 3}
    )


def _campaign(c: CampaignLists) -> str:
    parts = []
    if c.facilities:
        top = c.facilities[:25]
        parts.append("<h3>Detention facilities ranked by deaths</h3>")
        parts.append(
            _figure(
                plots.rankings([r.name for r in top], [r.documented for r in top], "Facilities"),
                "Documented deaths per facility (top 25).",
            )
        )
        parts.append(_ranking_table(c.facilities, "Facility"))
    if c.arresting_parties:
        parts.append("<h3>Arresting parties ranked by deaths</h3>")
        parts.append(_ranking_table(c.arresting_parties, "Arresting party"))
    parts.append(f"<h3>Died in custody, remains not returned ({num(c.remains_total)} persons)</h3>")
    shown = 0
    for facility, people in c.remains_not_returned.items():
        parts.append(f"<h4>{name_html(facility)} ({num(len(people))})</h4>")
        parts.append(_people(people))
        shown += len(people)
    if shown < c.remains_total:
        parts.append(_limit_note(shown, c.remains_total))
    parts.append(f"<h3>Still detained or disappeared ({num(c.still_missing_total)} persons)</h3>")
    parts.append(_people(c.still_missing))
    if len(c.still_missing) < c.still_missing_total:
        parts.append(_limit_note(len(c.still_missing), c.still_missing_total))
    return _section(
        "campaign",
        '<p class="note">A person is listed when most of their records say so; the name shown '
        "is the fullest one any list gives, in its own script.</p>" + "\n".join(parts),
    )


def _limit_note(shown: int, total: int) -> str:
    return (
        f'<p class="flag">Showing {num(shown)} of {num(total)} persons; '
        "<code>uncounted report --list-limit 0</code> writes them all.</p>"
    )


METHOD_NOTES = """
<p><strong>What multiple systems estimation does.</strong> Each list documents some of the
victims, never all. When several lists were gathered independently, the way they overlap tells
us how many victims none of them found: if two lists of 1,000 names each share 100 persons,
each list found about one in ten of the other's, so the total is near 10,000. With more lists,
models can allow for some dependence between lists.</p>
<p><strong>What it assumes.</strong> (1) The population is closed: everyone counted belongs to
one defined group (here: persons who died or disappeared in detention over the period). (2) The
records are linked correctly: a missed link makes one person look like two and inflates the
estimate; a false link hides a person and deflates it. (3) The model captures how lists depend
on each other and how visibility differs between people. Every estimator relies on an
assumption about the persons <em>no</em> list found, which the data cannot check directly.</p>
<p><strong>What could bias it.</strong> Lists that copy from each other or share informants
(positive dependence) make the estimate too low; lists that avoid each other make it too high.
People who are invisible to every list alike (no family abroad, no contact with any group) are
underestimated by all models. Strata help when visibility differs by place or time; small
strata give wide intervals, so they are pooled by the rule above.</p>
<p><strong>How to read the intervals.</strong> For the Bayesian estimators (LCMCR, DGA) the
interval holds 95% of the posterior probability for the total; for log-linear models it is a
95% profile-likelihood interval for the chosen model. Intervals do not include the uncertainty
of linkage itself: see the linkage-quality section.</p>
"""


def _method_notes(data: ReportData) -> str:
    return _section("method", METHOD_NOTES)


def _reproducibility(data: ReportData) -> str:
    r = data.reproducibility

    def kv(d: dict[str, str], what: str, value: str) -> str:
        rows = [[escape(k), f"<code>{escape(v)}</code>"] for k, v in d.items()]
        return _table([what, value], rows, set())

    commands = "\n".join(r.commands)
    return _section(
        "reproducibility",
        "<p>The same inputs, parameters and seeds give exactly the same numbers.</p>"
        f"<h3>Versions</h3>{kv(r.versions, 'Package', 'Version')}"
        f"<h3>Seeds</h3>{kv(r.seeds, 'Run', 'Seed')}"
        f"<h3>Input hashes (SHA-256)</h3>{kv(r.hashes, 'Input', 'SHA-256')}"
        f"<h3>Commands</h3><pre>{escape(commands)}</pre>",
    )
