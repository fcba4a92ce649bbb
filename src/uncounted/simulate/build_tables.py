"""Rebuild the compact reference tables the simulator ships (``uncounted/data/simulate``).

Run once by a developer (``python -m uncounted.simulate.build_tables ../shared/data``); the
simulator itself only reads the small CSVs this writes, so a user never needs the large
shared files. Kept as code so the tables can be regenerated and audited.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
from arabic_name_romanizer.normalize import lookup_key

OUT = Path(__file__).resolve().parents[1] / "data" / "simulate"
LEVANT = ("SY", "LB", "PS", "JO", "IQ")
COUNTRY_FACTOR = {"SY": 3.0, "LB": 0.3}
PARTICLES = frozenset(["ابن", "بن", "ابو", "بنت", "ام", "ال", "عبد"])
_LATIN_OK = re.compile(r"^[A-Z][A-Za-z' -]*[a-z]$")
TOP = {"male": 1500, "female": 400, "elder": 1200, "family": 2500}
# Share of documented detention deaths by governorate of origin. Shaped on the OHCHR/HRDAG
# documented killings by governorate (published_figures.csv rows syr2013b_gov_rifdimashq and
# syr2014_gov_rifdimashq) and shifted towards Daraa, Homs and Hama, where reports of deaths
# in detention concentrate. Approximate by design: the simulator's config can override it.
GOVERNORATE_WEIGHTS = {
    "SY01": 0.10, "SY02": 0.09, "SY03": 0.20, "SY04": 0.16, "SY05": 0.10, "SY06": 0.03,
    "SY07": 0.07, "SY08": 0.015, "SY09": 0.04, "SY10": 0.01, "SY11": 0.01, "SY12": 0.15,
    "SY13": 0.005, "SY14": 0.01,
}  # fmt: skip


def _latin_table(wikidata: pd.DataFrame) -> pd.DataFrame:
    """Attested Latin spellings per (key, kind), Levant first, noise filtered out."""
    w = wikidata[wikidata["latin"].str.match(_LATIN_OK, na=False)].copy()
    w["kind"] = w["role"].map({"given": "given", "surname": "surname"})
    w = w.dropna(subset=["kind"])
    w["levant"] = w["country"].isin(LEVANT)
    lev = w[w["levant"]].groupby(["arabic_key", "kind", "latin"], as_index=False)["count"].sum()
    allc = w.groupby(["arabic_key", "kind", "latin"], as_index=False)["count"].sum()
    have = set(zip(lev["arabic_key"], lev["kind"], strict=True))
    rest = allc[[k not in have for k in zip(allc["arabic_key"], allc["kind"], strict=True)]]
    t = pd.concat([lev, rest], ignore_index=True)
    t["total"] = t.groupby(["arabic_key", "kind"])["count"].transform("sum")
    t = t[(t["count"] >= 2) | (t["count"] == t["total"])]
    t = t[t["count"] >= 0.01 * t["total"]]
    t = t.sort_values(["arabic_key", "kind", "count"], ascending=[True, True, False])
    return t.groupby(["arabic_key", "kind"]).head(8)[["arabic_key", "kind", "latin", "count"]]


def _display_form(key: str, latin: str) -> str:
    """Best-guess written form of a hamza-less key (only for names absent from the MoH list)."""
    form = key
    if form.startswith("ا") and not form.startswith("ال") and latin[:1] in "AOU":
        form = "أ" + form[1:]
    elif form.startswith("ا") and not form.startswith("ال") and latin[:1] in "IE":
        form = "إ" + form[1:]
    if form.endswith("ه") and latin.lower().endswith(("a", "ah", "eh")):
        form = form[:-1] + "ة"
    return form


def _windows_1256(text: str) -> bool:
    """Whether the name can be written in Windows-1256 (no Persian letters such as ڤ)."""
    try:
        text.encode("cp1256")
    except UnicodeEncodeError:
        return False
    return True


def _final_yeh(form: str, latin: str) -> str:
    """Final ى only where the name ends in a long a (Mustafa, Layla); else ي (Ali, Masri)."""
    form = re.sub("اللة$", "الله", form)
    stem = form[:-1]
    if form.endswith(("ى", "ي")):
        return stem + ("ى" if latin.lower().endswith("a") else "ي")
    return form


def _gaza_forms(frame: pd.DataFrame) -> pd.DataFrame:
    """MoH counts merged by lookup key; the written form keeps hamza where any form has it."""
    frame = frame.assign(key=frame["name_ar"].map(lookup_key))
    frame = frame.assign(hamza=frame["name_ar"].str.contains("[أإآ]|[^ل]ة$", regex=True))
    frame = frame.sort_values(["hamza", "count"], ascending=False)
    forms = frame.groupby("key")["name_ar"].first()
    counts = frame.groupby("key")["count"].sum()
    return pd.DataFrame({"form": forms, "gaza": counts})


def _role_table(
    gaza: pd.DataFrame,
    wiki: pd.Series,
    latin: pd.DataFrame,
    kind: str,
    top: int,
    male: bool,
    gaza_share: float = 0.5,
) -> pd.DataFrame:
    """Blend MoH and Wikidata frequencies over keys with an attested spelling."""
    keys = set(latin.loc[latin["kind"] == kind, "arabic_key"])
    g = gaza[gaza.index.isin(keys)]
    w = wiki[wiki.index.isin(keys)]
    if male:  # Wikidata does not record sex: leave out its names with a feminine ending
        w = w[w.index.isin(g.index) | ~w.index.str.contains("[اهةى]$", regex=True)]
    weight = (g["gaza"] / g["gaza"].sum() * gaza_share).add(
        w / w.sum() * (1 - gaza_share), fill_value=0
    )
    top_latin = latin[latin["kind"] == kind].groupby("arabic_key")["latin"].first()
    out = pd.DataFrame({"weight": weight}).sort_values("weight", ascending=False).head(top)
    out["arabic"] = [
        _final_yeh(
            g["form"].get(k) if k in g.index else _display_form(k, top_latin[k]), top_latin[k]
        )
        for k in out.index
    ]
    return out.rename_axis("key").reset_index()


def _weighted_counts(rows: pd.DataFrame) -> pd.Series:
    """Wikidata counts per name, Syrian people counted three times, Lebanese at 0.3.

    Wikidata's Levant is dominated by Lebanese public figures, whose names (Joseph, Tony,
    Pierre) are rare among those who died in Syrian detention.
    """
    factor = rows["country"].map(COUNTRY_FACTOR).fillna(1.0)
    return (rows["count"] * factor).groupby(rows["arabic_key"]).sum()


def build(shared: Path, out: Path = OUT) -> None:
    """Write names.csv, latin.csv, governorates.csv, districts.csv, facilities.csv."""
    names = shared / "names"
    wikidata = pd.read_csv(names / "wikidata_arabic_latin_name_units.csv")
    latin = _latin_table(wikidata)
    lev = wikidata[wikidata["country"].isin(LEVANT)]
    wgiven = _weighted_counts(lev[lev["role"] == "given"])
    wsur = _weighted_counts(lev[lev["role"] == "surname"])
    given = pd.read_csv(names / "gaza_moh_given_names_by_sex.csv")
    elder = pd.read_csv(names / "gaza_moh_father_grandfather_names.csv")
    family = pd.read_csv(names / "gaza_moh_family_names.csv")
    # names borne by Syrians in Wikidata, or in the MoH lists; not Manuel or Pierre
    syrian = wikidata[wikidata["country"] == "SY"]
    moh_given = set(given["name_ar"].map(lookup_key)) | set(elder["name_ar"].map(lookup_key))
    keep = set(syrian.loc[syrian["role"] == "given", "arabic_key"]) | moh_given
    wgiven = wgiven[wgiven.index.isin(keep)]
    keep = set(syrian.loc[syrian["role"] == "surname", "arabic_key"])
    wsur = wsur[wsur.index.isin(keep | set(family["name_ar"].map(lookup_key)))]
    by_sex = given.assign(key=given["name_ar"].map(lookup_key)).pivot_table(
        index="key", columns="sex", values="count", aggfunc="sum", fill_value=0
    )
    female_keys = set(by_sex.index[by_sex["f"] > by_sex["m"]])
    given = given[given["name_ar"].map(lookup_key).isin(female_keys) == given["sex"].eq("f")]
    wfemale = wgiven[wgiven.index.isin(female_keys)]
    tables = {
        "male": _role_table(
            _gaza_forms(given[given["sex"] == "m"]), wgiven.drop(female_keys, errors="ignore"),
            latin, "given", TOP["male"], male=True),
        "female": _role_table(
            _gaza_forms(given[given["sex"] == "f"]), wfemale, latin, "given", TOP["female"],
            male=False),
        "elder": _role_table(
            _gaza_forms(elder), wgiven.drop(female_keys, errors="ignore"), latin, "given",
            TOP["elder"], male=True),
        "family": _role_table(
            _gaza_forms(family), wsur, latin, "surname", TOP["family"], male=False,
            gaza_share=0.3),  # Gaza clan names are not Syrian ones: Wikidata SY weighs more
    }  # fmt: skip
    rows = pd.concat([t.assign(role=r) for r, t in tables.items()], ignore_index=True)
    rows = rows[rows["arabic"].map(_windows_1256)]  # lists are also kept in Windows-1256
    # Arabic letters only, and not a bare particle left by the PDF extraction (ابن/, ابو)
    letters = rows["arabic"].str.fullmatch("[\u0621-\u064a]+( [\u0621-\u064a]+)*")
    rows = rows[letters & ~rows["key"].isin(PARTICLES)]
    rows["weight"] = rows["weight"].round(8)
    out.mkdir(parents=True, exist_ok=True)
    rows[["role", "arabic", "key", "weight"]].to_csv(out / "names.csv", index=False)
    used = latin[latin["arabic_key"].isin(set(rows["key"]))]
    used.rename(columns={"arabic_key": "key"}).to_csv(out / "latin.csv", index=False)
    _write_places(shared / "geography", out)
    fac = pd.read_csv(
        shared / "detention_facilities" / "syria_detention_facilities.csv", dtype=str
    ).fillna("")
    cols = [
        "facility_id",
        "agency_en",
        "agency_ar",
        "branch_number",
        "name_en",
        "name_ar",
        "aliases_en",
    ]
    fac[[*cols, "governorate_pcode"]].to_csv(out / "facilities.csv", index=False)


def _write_places(geo: Path, out: Path) -> None:
    """Governorates (with weights and spelling variants) and districts."""
    govs = json.loads((geo / "governorates.json").read_text(encoding="utf-8"))
    rows = []
    for g in govs:
        aliases = {a["language"]: [] for a in g.get("aliases", [])}
        for a in g.get("aliases", []):
            if a["type"] in ("alias", "alternate_spelling", "transliteration"):
                aliases[a["language"]].append(a["value"])
        pcode = g["externalIds"]["ochaPcode"]
        rows.append(
            {
                "pcode": pcode,
                "name_en": g["name"]["en"],
                "name_ar": g["name"]["ar"],
                "alt_en": ";".join(aliases.get("en", [])),
                "alt_ar": ";".join(aliases.get("ar", [])),
                "weight": GOVERNORATE_WEIGHTS[pcode],
            }
        )
    pd.DataFrame(rows).sort_values("pcode").to_csv(out / "governorates.csv", index=False)
    flat = pd.read_csv(geo / "admin_units_flat.csv")
    dist = flat[flat["level"] == "district"]
    dist = dist[["ocha_pcode", "governorate_pcode", "name_en", "name_ar"]]
    dist.rename(columns={"ocha_pcode": "district_pcode"}).to_csv(out / "districts.csv", index=False)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
