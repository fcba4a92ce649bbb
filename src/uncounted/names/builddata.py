"""Rebuild ``uncounted/data/names/name_units.csv`` from the shared reference data.

Run by a developer, never at runtime: ``python -m uncounted.names.builddata ../shared/data/names``.
It keeps the attested Arabic↔Latin name-unit pairs that the cross-script key and the
similarity learn from (see ``uncounted/data/names/README.md`` for sources and licences):

- Wikidata name units (CC0) from Arabic-speaking countries only: Persian-script countries
  (IR, AF, PK) spell the same letters differently (``Mohammad Reza``) and would blur the
  Levantine picture;
- Tech for Palestine's Arabic→English name dictionary (Unlicense), weight 2 per entry;
- the Latin renderings of the Gaza MoH name-frequency tables (aggregate counts).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

PERSIAN_SCRIPT_COUNTRIES = frozenset({"IR", "AF", "PK"})
TFP_WEIGHT = 2
OUT = Path(__file__).resolve().parent.parent / "data" / "names" / "name_units.csv"


def _wikidata(folder: Path, counts: Counter) -> None:
    with (folder / "wikidata_arabic_latin_name_units.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["country"] not in PERSIAN_SCRIPT_COUNTRIES:
                counts[(row["arabic_key"], row["latin"], "wikidata")] += int(row["count"])


def _tfp(folder: Path, counts: Counter) -> None:
    lines = (folder / "tfp_dict_ar_en.csv").read_text(encoding="utf-8").splitlines()
    start = lines.index("ar,en") + 1
    for row in csv.reader(lines[start:]):
        if len(row) == 2 and row[0].strip() and row[1].strip():
            counts[(row[0].strip(), row[1].strip(), "tfp")] += TFP_WEIGHT


def _gaza(folder: Path, counts: Counter) -> None:
    for name in (
        "gaza_moh_given_names_by_sex.csv",
        "gaza_moh_father_grandfather_names.csv",
        "gaza_moh_family_names.csv",
    ):
        with (folder / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for variant in row["latin_variants"].split(";"):
                    latin, _, count = variant.rpartition(":")
                    if latin and count.isdigit():
                        counts[(row["name_ar"], latin, "gaza")] += int(count)


def build(folder: Path, out: Path = OUT) -> int:
    """Write the merged table (arabic, latin, count, source); return its row count."""
    counts: Counter = Counter()
    _wikidata(folder, counts)
    _tfp(folder, counts)
    _gaza(folder, counts)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["arabic", "latin", "count", "source"])
        for (arabic, latin, source), count in sorted(counts.items()):
            writer.writerow([arabic, latin, count, source])
    return len(counts)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])), "rows written to", OUT)
