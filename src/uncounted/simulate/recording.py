"""How each kind of list writes down the people it captured.

Every list is rendered first in canonical fields (``record_id``, ``full_name`` ...), with the
list's own conventions and per-record noise, and then given its own headers and values
(``LAYOUTS``): the inverse of what its mapping file tells the importer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from uncounted.simulate import noise, tables
from uncounted.simulate.config import ListSpec, SimulationConfig

NAME_PARTS = ("given", "father", "grandfather", "family")
Extra = dict[str, np.ndarray]  # per record: was this person also on list NAME?
Config = SimulationConfig


@dataclass(frozen=True)
class Layout:
    """A list's columns (canonical field -> its header, in file order) and value spellings."""

    headers: dict[str, str]
    values: dict[str, dict[str, str]]
    id_prefix: str
    # KoboToolbox export: field -> question group (headers "group/question"), the record id
    # is Kobo's ``_uuid`` and Kobo's metadata columns follow the questions
    kobo_groups: dict[str, str] | None = None

    @property
    def canonical(self) -> bool:
        """Whether the headers need no mapping file."""
        return all(k == v for k, v in self.headers.items()) and not self.values


LAYOUTS: dict[str, Layout] = {
    "ngo_arabic": Layout(
        headers={
            "record_id": "الرقم", "full_name": "الاسم الكامل", "sex": "الجنس",
            "governorate": "المحافظة", "place": "المدينة/البلدة",
            "arrest_date": "تاريخ الاعتقال", "arresting_party": "الجهة المسؤولة",
            "detention_facility": "مكان الاحتجاز", "death_date": "تاريخ الوفاة",
            "notes": "ملاحظات",
        },
        values={"sex": {"M": "ذكر", "F": "أنثى"}},
        id_prefix="SN-",
    ),
    "ngo_latin": Layout(
        headers={
            "record_id": "ID", "given_name": "First Name", "father_name": "Father's Name",
            "family_name": "Last Name", "sex": "Gender", "age": "Age",
            "birth_date": "Year of Birth", "governorate": "Governorate", "place": "City",
            "arrest_date": "Date of Arrest", "death_date": "Date of Death",
            "detention_facility": "Detention Center", "arresting_party": "Perpetrator",
            "notes": "Comments",
        },
        values={"sex": {"M": "Male", "F": "Female"}},
        id_prefix="VD",
    ),
    "family_reports": Layout(
        headers={
            "record_id": "_uuid", "full_name": "اسم المعتقل", "mother_name": "اسم الأم",
            "birth_date": "سنة الميلاد", "age": "العمر", "governorate": "المحافظة",
            "arrest_place": "مكان الاعتقال", "arrest_date": "تاريخ الاعتقال",
            "arresting_party": "الجهة التي اعتقلته", "detention_facility": "آخر مكان احتجاز معروف",
            "status": "الحالة", "death_date": "تاريخ الوفاة",
            "remains_returned": "هل تم تسليم الجثمان", "notes": "ملاحظات",
        },
        values={
            "status": {"dead": "متوفى", "disappeared": "مختفٍ قسرياً"},
            "remains_returned": {"yes": "نعم", "no": "لا"},
        },
        id_prefix="",
        kobo_groups={
            "full_name": "المعتقل", "mother_name": "المعتقل", "birth_date": "المعتقل",
            "age": "المعتقل", "governorate": "المعتقل", "arrest_place": "الاعتقال",
            "arrest_date": "الاعتقال", "arresting_party": "الاعتقال",
            "detention_facility": "الاعتقال", "status": "المصير", "death_date": "المصير",
            "remains_returned": "المصير", "notes": "المصير",
        },
    ),
    "death_notices": Layout(
        headers={
            "record_id": "الرقم التسلسلي", "given_name": "الاسم", "father_name": "اسم الأب",
            "grandfather_name": "اسم الجد", "family_name": "النسبة", "mother_name": "اسم الأم",
            "sex": "الجنس", "birth_date": "تاريخ الولادة", "registry_number": "محل ورقم القيد",
            "death_date": "تاريخ الوفاة", "death_place": "مكان الوفاة",
            "cause_of_death": "سبب الوفاة",
        },
        values={"sex": {"M": "ذكر", "F": "أنثى"}},
        id_prefix="",
    ),
    "body_photos": Layout(
        headers={
            k: k
            for k in ("record_id", "full_name", "detainee_number", "detention_facility",
                      "death_date", "notes")
        },
        values={},
        id_prefix="C-",
    ),
}  # fmt: skip

NOTICE_CAUSES = ("نوبة قلبية", "سكتة قلبية", "توقف القلب والتنفس", "ذبحة صدرية")
AGENCY_SHORT_AR = {
    "شعبة المخابرات العسكرية": "الأمن العسكري",
    "إدارة المخابرات الجوية": "المخابرات الجوية",
    "إدارة المخابرات العامة (أمن الدولة)": "أمن الدولة",
    "إدارة الأمن السياسي": "الأمن السياسي",
}
AGENCY_SHORT_EN = {
    "Military Intelligence Directorate": "Military Intelligence",
    "Air Force Intelligence Directorate": "Air Force Intelligence",
    "General Intelligence Directorate (State Security)": "State Security",
    "Political Security Directorate": "Political Security",
}
DAY_FORMATS = {"dd/mm/yyyy": 0.6, "d/m/yyyy": 0.25, "yyyy-mm-dd": 0.15}
PARTIAL_FORMATS = {"yyyy": 0.6, "mm/yyyy": 0.4}


def render_list(
    spec: ListSpec,
    pop: pd.DataFrame,
    people: np.ndarray,
    config: SimulationConfig,
    rng: np.random.Generator,
    extra: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Records of one list in canonical fields, plus ``person_id`` and flags; shuffled, ids.

    ``people``: positions in ``pop`` of the persons the list captured; duplicates and
    near-empty records are added here. ``extra`` carries what a renderer needs to know about
    other lists (whether a family also saw a death notice).
    """
    dup = people[noise.chance(rng, len(people), spec.duplicate_rate)]
    order = rng.permutation(len(people) + len(dup))
    rows = np.concatenate([people, dup])[order]
    sub = pop.iloc[rows].reset_index(drop=True)
    renderer = RENDERERS[spec.kind]
    out = renderer(sub, spec, rng, {k: v[rows] for k, v in extra.items()}, config)
    empty = _near_empty(out, spec, rng)
    layout = LAYOUTS[spec.kind]
    if layout.kobo_groups:
        ids = _uuids(len(out), rng)
    else:
        width = max(5, len(str(len(out))))
        numbers = np.char.zfill((np.arange(len(out)) + 1).astype(str), width)
        ids = np.char.add(layout.id_prefix, numbers)
    out.insert(0, "record_id", ids)
    out["person_id"] = sub["person_id"].to_numpy()
    out["duplicate"] = order >= len(people)
    out["near_empty"] = empty
    return out


def _uuids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Random (seeded) version-4-looking UUIDs, as KoboToolbox gives each submission."""
    pairs = np.array([f"{i:02x}" for i in range(256)])  # the 256 byte values in hex
    octets = pairs[np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)]
    hexes = pd.Series(np.full(n, "", dtype=object))
    for i in range(16):  # over the 16 byte positions, not the records
        hexes = hexes + octets[:, i]
    parts = [hexes.str[a:b] for a, b in ((0, 8), (8, 12), (13, 16), (16, 20), (20, 32))]
    uuid = parts[0] + "-" + parts[1] + "-4" + parts[2] + "-" + parts[3] + "-" + parts[4]
    return uuid.to_numpy(dtype=object)


def source_headers(kind: str) -> dict[str, str]:
    """Canonical field -> header as it stands in the file (Kobo: ``group/question``)."""
    layout = LAYOUTS[kind]
    groups = layout.kobo_groups or {}
    return {f: f"{groups[f]}/{h}" if f in groups else h for f, h in layout.headers.items()}


def to_source_layout(records: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The records with the list's own headers and value spellings, as written to the file."""
    layout = LAYOUTS[kind]
    headers = source_headers(kind)
    fields = [f for f in headers if not (layout.kobo_groups and f == "record_id")]
    frame = records[fields].copy()
    for field, values in layout.values.items():
        frame[field] = frame[field].map(values).fillna(frame[field])
    frame = frame.rename(columns=headers)
    if layout.kobo_groups:
        n = len(frame)
        frame["_id"] = np.arange(n) + 41_000_001
        frame["_uuid"] = records["record_id"].to_numpy()
        frame["_submission_time"] = records["submitted"].to_numpy()
        frame["_index"] = np.arange(1, n + 1)
    return frame


def mapping_toml(kind: str) -> str | None:
    """The mapping file for a list (``None`` when its headers are canonical)."""
    layout = LAYOUTS[kind]
    if layout.canonical:
        return None
    lines = ["[columns]"]
    lines += [
        f"{_q(header)} = {_q(field)}"
        for field, header in source_headers(kind).items()
        if not (layout.kobo_groups and field == "record_id")  # Kobo's _uuid is the id
    ]
    for field, values in layout.values.items():
        lines += ["", f"[values.{field}]"]
        lines += [f"{_q(src)} = {_q(canon)}" for canon, src in values.items()]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- names ---------------------------------------------------------------------------------


def _arabic_parts(sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator) -> dict:
    """Each name part in Arabic with the list's orthographic variants and typos."""
    parts = {}
    for part in NAME_PARTS:
        s = sub[f"{part}_name"].astype(object)
        s = noise.arabic_variants(s, spec.orthography_rate, rng)
        parts[part] = noise.typos(s, spec.typo_rate, rng, noise.ARABIC_LETTERS)
    return parts


def _latin_parts(sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator) -> dict:
    """Each name part in the list's house transliteration, varied per record."""
    names = tables.names()
    house = names.spelling(np.arange(len(names.arabic)), rng.random(len(names.arabic)))
    parts = {}
    for part in NAME_PARTS:
        rows = sub[f"{part}_row"].to_numpy()
        varied = noise.chance(rng, len(rows), spec.spelling_variation)
        idx = np.where(varied, names.spelling(rows, rng.random(len(rows))), house[rows])
        parts[part] = pd.Series(names.latin[idx], index=sub.index, dtype=object)
    for part in ("given", "father"):
        parts[part] = noise.latin_given_variants(parts[part], spec.spelling_variation, rng)
    parts["family"] = noise.latin_article(parts["family"], spec.spelling_variation, "Al-", rng)
    swapped = noise.chance(rng, len(sub), spec.swap_rate)  # surname typed as first name
    given, family = parts["given"].copy(), parts["family"].copy()
    parts["given"] = given.where(~swapped, family)
    parts["family"] = family.where(~swapped, given)
    for part in NAME_PARTS:
        parts[part] = noise.typos(parts[part], spec.typo_rate, rng, noise.LATIN_LETTERS)
    return parts


def _chain(parts: dict, spec: ListSpec, rng: np.random.Generator, grandfather: float) -> pd.Series:
    """A full name in one column: given father [grandfather] family, parts dropped or swapped."""
    n = len(parts["given"])
    with_gf = noise.chance(rng, n, grandfather)
    drop_father = noise.chance(rng, n, spec.drop_part_rate / 3)
    middle = parts["father"].where(~drop_father, "")
    middle = middle + np.where(with_gf & ~drop_father, " " + parts["grandfather"], "")
    full = parts["given"] + " " + middle + " " + parts["family"]
    swapped = noise.chance(rng, n, spec.swap_rate)
    full[swapped] = parts["family"][swapped] + " " + parts["given"][swapped] + " " + middle[swapped]
    return full.str.replace(r"\s+", " ", regex=True).str.strip()


def _drop(s: pd.Series, rate: float, rng: np.random.Generator) -> pd.Series:
    """A share of values left blank (the field was not known or not filled in)."""
    return s.where(~noise.chance(rng, len(s), rate), "")


# -- fields --------------------------------------------------------------------------------


def _governorate_ar(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    s = sub["governorate"].astype(object)
    prefixed = noise.chance(rng, len(s), 0.15)
    return s.where(~prefixed, "محافظة " + s)


def _spelling_of(
    options: pd.Series, keys: pd.Series, rng: np.random.Generator, main: float = 0.0
) -> pd.Series:
    """For each key, one of its ``;``-separated spellings: the first with probability
    ``main``, else any, uniformly (vectorised over the flattened spellings)."""
    flat = options.str.strip(";").str.split(";").explode()
    counts = flat.groupby(level=0, sort=False).size()
    starts = counts.cumsum() - counts
    n, size = starts.reindex(keys).to_numpy(), counts.reindex(keys).to_numpy()
    u = rng.random(len(keys))
    pick = np.where(u < main, 0, (rng.random(len(keys)) * size).astype(int))
    return pd.Series(flat.to_numpy()[n + pick], index=keys.index)


def _governorate_en(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    govs = tables.governorates().set_index("pcode")
    return _spelling_of(govs["name_en"] + ";" + govs["alt_en"], sub["governorate_pcode"], rng, 0.75)


def _facility_ar(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    fac = tables.facilities().set_index("facility_id")
    name = fac["name_ar"].reindex(sub["facility_id"]).to_numpy(dtype=object)
    number = fac["branch_number"].reindex(sub["facility_id"]).to_numpy(dtype=object)
    short = noise.chance(rng, len(sub), 0.4) & (number != "")
    name[short] = np.char.add("الفرع ", number[short].astype(str))
    return pd.Series(name, index=sub.index)


def _facility_en(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    fac = tables.facilities().set_index("facility_id")
    return _spelling_of(fac["name_en"] + ";" + fac["aliases_en"], sub["facility_id"], rng)


def _party_ar(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    s = sub["arresting_party"].astype(object)
    short = noise.chance(rng, len(s), 0.6)
    return s.where(~short, s.map(AGENCY_SHORT_AR).fillna(s))


def _party_en(sub: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    fac = tables.facilities()
    en = dict(zip(fac["agency_ar"], fac["agency_en"], strict=False))
    s = sub["arresting_party"].map(en).fillna("")
    short = noise.chance(rng, len(s), 0.6)
    return s.where(~short, s.map(AGENCY_SHORT_EN).fillna(s))


def _dates(
    dates: pd.Series, spec: ListSpec, rng: np.random.Generator,
    formats: dict[str, float] = DAY_FORMATS, partial: dict[str, float] = PARTIAL_FORMATS,
    digits: float | None = None,
) -> pd.Series:  # fmt: skip
    """Dates with the list's errors, formats, partial precision and digits."""
    shifted = noise.shift_dates(dates, spec.date_error_rate, rng)
    rate = spec.arabic_digits_rate if digits is None else digits
    return noise.format_dates(shifted, rng, formats, partial, spec.partial_date_rate, rate)


def _age(sub: pd.DataFrame, at: str) -> pd.Series:
    return ((sub[at] - sub["birth_date"]).dt.days // 365.25).astype(int).astype(str)


def _age_or_year(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, at: str
) -> tuple[pd.Series, pd.Series]:
    """Either an age (at arrest or death) or a birth year, as families and NGOs give them."""
    by_age = noise.chance(rng, len(sub), spec.age_instead_rate)
    age = _age(sub, at).where(by_age, "")
    year = sub["birth_year"].astype(str).where(~by_age, "")
    return age, year


# -- the five kinds of list ------------------------------------------------------------------


def _ngo_arabic(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, extra: Extra, config: Config
) -> pd.DataFrame:
    """An Arabic NGO list: one full-name column, dd/mm/yyyy dates, many blanks."""
    parts = _arabic_parts(sub, spec, rng)
    return pd.DataFrame(
        {
            "full_name": _chain(parts, spec, rng, grandfather=0.4),
            "sex": sub["sex"],
            "governorate": _governorate_ar(sub, rng),
            "place": _drop(sub["place"].astype(object), 0.2, rng),
            "arrest_date": _drop(_dates(sub["arrest_date"], spec, rng), 0.15, rng),
            "arresting_party": _drop(_party_ar(sub, rng), 0.3, rng),
            "detention_facility": _drop(_facility_ar(sub, rng), 0.4, rng),
            "death_date": _dates(sub["death_date"], spec, rng, digits=0.0),
            "notes": np.where(noise.chance(rng, len(sub), 0.1), "قضى تحت التعذيب", ""),
        }
    )


def _ngo_latin(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, extra: Extra, config: Config
) -> pd.DataFrame:
    """A Latin NGO list: separate name columns in the house transliteration, ages."""
    parts = _latin_parts(sub, spec, rng)
    dist = tables.districts().set_index("district_pcode")
    age, year = _age_or_year(sub, spec, rng, "death_date")
    iso = {"yyyy-mm-dd": 0.7, "dd/mm/yyyy": 0.3}
    partial = {"yyyy": 0.3, "yyyy-mm": 0.3, "month_en yyyy": 0.4}
    return pd.DataFrame(
        {
            "given_name": parts["given"],
            "father_name": _drop(parts["father"], spec.drop_part_rate, rng),
            "family_name": parts["family"],
            "sex": sub["sex"],
            "age": age,
            "birth_date": year,
            "governorate": _governorate_en(sub, rng),
            "place": _drop(pd.Series(dist["name_en"].reindex(sub["district_pcode"]).to_numpy(),
                                     dtype=object), 0.2, rng),
            "arrest_date": _drop(_dates(sub["arrest_date"], spec, rng, iso, partial), 0.2, rng),
            "death_date": _dates(sub["death_date"], spec, rng, iso, partial),
            "detention_facility": _drop(_facility_en(sub, rng), 0.3, rng),
            "arresting_party": _drop(_party_en(sub, rng), 0.3, rng),
            "notes": "",
        }
    )  # fmt: skip


def _family_reports(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, extra: Extra, config: Config
) -> pd.DataFrame:
    """Families' forms: mother's name, arrest details, dead or disappeared."""
    parts = _arabic_parts(sub, spec, rng)
    n = len(sub)
    # a family learns of the death from a notice, or from a released detainee or a photo
    notified = extra.get("death_notices", np.zeros(n, bool)) & noise.chance(rng, n, 0.8)
    knows = noise.chance(rng, n, config.family_knows_death_share) | notified
    status = np.where(knows, "dead", "disappeared")
    age, year = _age_or_year(sub, spec, rng, "arrest_date")
    mother = noise.typos(
        noise.arabic_variants(sub["mother_name"].astype(object), spec.orthography_rate, rng),
        spec.typo_rate, rng, noise.ARABIC_LETTERS,
    )  # fmt: skip
    partial = {"yyyy": 0.4, "mm/yyyy": 0.2, "month_ar yyyy": 0.4}
    death = _dates(sub["death_date"], spec, rng, partial=partial)
    return pd.DataFrame(
        {
            "full_name": _chain(parts, spec, rng, grandfather=0.3),
            "mother_name": _drop(mother, 0.1, rng),
            "birth_date": year,
            "age": age,
            "governorate": _governorate_ar(sub, rng),
            "arrest_place": _drop(sub["arrest_place"].astype(object), 0.1, rng),
            "arrest_date": _dates(sub["arrest_date"], spec, rng, partial=partial),
            "arresting_party": _drop(_party_ar(sub, rng), 0.2, rng),
            "detention_facility": _drop(_facility_ar(sub, rng), 0.7, rng),
            "status": status,
            "death_date": death.where(knows, ""),
            "remains_returned": np.where(knows, sub["remains_returned"], ""),
            "notes": "",
            "submitted": _submission_times(sub, rng),
        }
    )


def _submission_times(sub: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """When a family filled in the form: after the arrest, often years later (Kobo format)."""
    delay = pd.to_timedelta(rng.integers(30 * 86400, 4 * 365 * 86400, len(sub)), unit="s")
    start = sub["arrest_date"].clip(lower=pd.Timestamp("2015-01-01"))  # forms used from 2015
    return (start + delay).dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)


def _death_notices(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, extra: Extra, config: Config
) -> pd.DataFrame:
    """Civil-registry notices: four name parts, full dates, registry, heart attack."""
    parts = _arabic_parts(sub, spec, rng)
    mother = noise.arabic_variants(sub["mother_name"].astype(object), spec.orthography_rate, rng)
    official = {"dd/mm/yyyy": 0.5, "yyyy/mm/dd": 0.3, "dd-mm-yyyy": 0.2}
    fac = tables.facilities().set_index("facility_id")
    place = fac["name_ar"].reindex(sub["death_facility_id"]).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            **{f"{p}_name": parts[p] for p in NAME_PARTS},
            "mother_name": noise.typos(mother, spec.typo_rate, rng, noise.ARABIC_LETTERS),
            "sex": sub["sex"],
            "birth_date": _dates(sub["birth_date"], spec, rng, official, {}),
            "registry_number": sub["registry_number"],
            "death_date": _dates(sub["death_date"], spec, rng, official, {}),
            "death_place": np.where(noise.chance(rng, len(sub), 0.5), place, "دمشق"),
            "cause_of_death": rng.choice(NOTICE_CAUSES, len(sub)),
        }
    )


def _body_photos(
    sub: pd.DataFrame, spec: ListSpec, rng: np.random.Generator, extra: Extra, config: Config
) -> pd.DataFrame:
    """Photographs of bodies: detainee and branch numbers, two or three name parts."""
    parts = _arabic_parts(sub, spec, rng)
    n = len(sub)
    shape = rng.random(n)
    partial = spec.drop_part_rate
    full = np.where(
        shape < partial / 2, parts["given"] + " " + parts["family"],
        np.where(shape < partial, parts["given"] + " " + parts["father"],
                 parts["given"] + " " + parts["father"] + " " + parts["family"]),
    )  # fmt: skip
    fac = tables.facilities().set_index("facility_id")
    number = fac["branch_number"].reindex(sub["facility_id"]).to_numpy(dtype=object)
    branch = np.where(number != "", np.char.add("Branch ", number.astype(str)),
                      fac["name_en"].reindex(sub["facility_id"]).to_numpy(dtype=object))  # fmt: skip
    iso = {"yyyy-mm-dd": 1.0}
    return pd.DataFrame(
        {
            "full_name": full,
            "detainee_number": sub["detainee_number"],
            "detention_facility": branch,
            "death_date": _dates(sub["death_date"], spec, rng, iso, {}),
            "notes": np.where(noise.chance(rng, n, 0.3), "identified by a relative", ""),
        }
    )


RENDERERS = {
    "ngo_arabic": _ngo_arabic,
    "ngo_latin": _ngo_latin,
    "family_reports": _family_reports,
    "death_notices": _death_notices,
    "body_photos": _body_photos,
}


def _near_empty(out: pd.DataFrame, spec: ListSpec, rng: np.random.Generator) -> np.ndarray:
    """Blank a share of records (still somebody's record); the mask.

    A list keeps a first name; a photograph of an unidentified body keeps no name at all but
    its detainee number, branch and date.
    """
    hit = noise.chance(rng, len(out), spec.near_empty_rate)
    if not hit.any():
        return hit
    if spec.kind == "body_photos":
        out.loc[hit, ["full_name", "notes"]] = ""
        return hit
    name_col = "full_name" if "full_name" in out else "given_name"
    keep = out.loc[hit, name_col].str.split(" ").str[0]
    out.loc[hit, out.columns.drop("submitted", errors="ignore")] = ""
    out.loc[hit, name_col] = keep
    return hit
