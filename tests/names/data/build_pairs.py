"""Expand the hand-checked name lists into ``name_pairs.csv`` (run from the repository root).

``name_families.txt``: one name per line, ``Arabic spellings ; Latin spellings`` (``|``
between spellings), every spelling checked by hand to be a real rendering of that name.
``different_names.txt``: ``arabic,latin;arabic,latin`` pairs of different names that look
alike (the hard negatives). Pairs made:

- arabic_variant: every two Arabic spellings of one name;
- cross_script: the first Arabic spelling with every Latin one (and the second with the first);
- latin_latin: the first Latin spelling with every other;
- hard_negative: for two different names, Arabic/Arabic, Latin/Latin and both Arabic/Latin;
- negative: unrelated names, for a realistic background.

Left out on purpose: pairs where one Latin spelling is attested for both Arabic names in
the data (``Salah`` for صلاح and for صالح, ``Hamed`` for حامد and for حمد), since spelling
alone cannot say whether they are the same name.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

HERE = Path(__file__).resolve().parent
AMBIGUOUS = {("صالح", "Salah"), ("Saleh", "Salah"), ("حمد", "Hamed"), ("Hamad", "Hamed")}


def build() -> list[tuple[str, str, int, str]]:
    families = []
    for line in (HERE / "name_families.txt").read_text(encoding="utf-8").splitlines():
        arabic, latin = line.split(" ; ")
        families.append((arabic.split("|"), latin.split("|")))
    rows: list[tuple[str, str, int, str]] = []
    for arabic, latin in families:
        rows += [(a, b, 1, "arabic_variant") for a, b in itertools.combinations(arabic, 2)]
        rows += [(arabic[0], name, 1, "cross_script") for name in latin]
        if len(arabic) > 1:
            rows.append((arabic[1], latin[0], 1, "cross_script"))
        rows += [(latin[0], name, 1, "latin_latin") for name in latin[1:]]
    for line in (HERE / "different_names.txt").read_text(encoding="utf-8").splitlines():
        (xa, xl), (ya, yl) = (part.split(",") for part in line.split(";"))
        rows += [(xa, ya, 0, "hard_negative"), (xl, yl, 0, "hard_negative"),
                 (xa, yl, 0, "hard_negative"), (ya, xl, 0, "hard_negative")]  # fmt: skip
    n = len(families)
    for i in range(0, n, 2):
        j = (i * 7 + 13) % n
        if j != i:
            rows.append((families[i][0][0], families[j][1][0], 0, "negative"))
            rows.append((families[i][1][-1], families[j][1][-1], 0, "negative"))
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        pair = (row[0], row[1])
        if pair in seen or row[0] == row[1] or pair in AMBIGUOUS or pair[::-1] in AMBIGUOUS:
            continue
        seen.add(pair)
        out.append(row)
    return out


if __name__ == "__main__":
    with (HERE / "name_pairs.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["a", "b", "same", "kind"])
        writer.writerows(build())
