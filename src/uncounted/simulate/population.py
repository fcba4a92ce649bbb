"""The true population: everyone who died in detention in the scenario, one row each.

Drawn column by column with numpy (no loop over people). Names come from real frequency
tables, so common names are very common (محمد, أحمد ...) and homonyms arise by themselves;
on top of that a share of people are brothers arrested together (same father, grandfather,
family and mother names, same arrest) and a share are exact four-part homonyms of someone
else (different mother, birth and origin).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uncounted.simulate import tables
from uncounted.simulate.config import SimulationConfig

FIRST_ARREST = np.datetime64("2011-03-15")
NAME_ROWS = ("given_row", "father_row", "grandfather_row", "family_row")
AGENCY_EN_AR = {  # arresting parties that are not a facility's own agency (transfers)
    "Military Intelligence Directorate": "شعبة المخابرات العسكرية",
    "Air Force Intelligence Directorate": "إدارة المخابرات الجوية",
    "General Intelligence Directorate (State Security)": "إدارة المخابرات العامة (أمن الدولة)",
    "Political Security Directorate": "إدارة الأمن السياسي",
}
# Where people held outside their governorate were taken (hospitals are places of death).
CENTRAL_FACILITIES = {
    "mp-saydnaya": 0.25, "mi-215": 0.15, "mi-235": 0.12, "afi-mezzeh": 0.1, "mi-227": 0.08,
    "mi-248": 0.07, "gid-251": 0.05, "gid-285": 0.04, "psd-damascus": 0.04, "mp-qaboun": 0.03,
    "prison-adra": 0.04, "mi-291": 0.01, "prison-tadmur": 0.02,
}  # fmt: skip


def draw_population(config: SimulationConfig, rng: np.random.Generator) -> pd.DataFrame:
    """One row per person: identity, origin, arrest, detention and death (the truth)."""
    n = config.size
    pop = pd.DataFrame(
        {"person_id": np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 7))}
    )
    pop["sex"] = np.where(rng.random(n) < config.male_share, "M", "F")
    _origin(pop, config, rng)
    _names(pop, rng)
    _dates(pop, config, rng)
    _detention(pop, config, rng)
    _brothers(pop, config, rng)
    _homonyms(pop, config, rng)
    _derived(pop, rng)
    return pop


def _origin(pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    govs = tables.governorates()
    weights = config.governorate_weights or dict(zip(govs["pcode"], govs["weight"], strict=True))
    pcodes = np.array(sorted(weights))
    w = np.array([weights[p] for p in pcodes], dtype=float)
    pop["governorate_pcode"] = rng.choice(pcodes, size=len(pop), p=w / w.sum())
    dist = tables.districts()
    pop["district_pcode"] = ""
    for pcode, idx in pop.groupby("governorate_pcode").indices.items():
        options = dist.loc[dist["governorate_pcode"] == pcode, "district_pcode"].to_numpy()
        # the governorate's first (central) district is the most common origin
        w = np.r_[3.0, np.ones(len(options) - 1)]
        pop.loc[pop.index[idx], "district_pcode"] = rng.choice(options, len(idx), p=w / w.sum())


def _names(pop: pd.DataFrame, rng: np.random.Generator) -> None:
    names = tables.names()
    n = len(pop)
    male = pop["sex"].to_numpy() == "M"
    given = names.draw(rng, "male", n)
    given[~male] = names.draw(rng, "female", int((~male).sum()))
    pop["given_row"] = given
    pop["father_row"] = names.draw(rng, "elder", n)
    pop["grandfather_row"] = names.draw(rng, "elder", n)
    pop["family_row"] = names.draw(rng, "family", n)
    pop["mother_row"] = names.draw(rng, "female", n)
    # a mother's family name is usually another family's (marriage between families)
    pop["mother_family_row"] = names.draw(rng, "family", n)


def _dates(pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    n = len(pop)
    years = np.array(sorted(config.death_year_weights))
    w = np.array([config.death_year_weights[y] for y in years], dtype=float)
    year = rng.choice(years, size=n, p=w / w.sum())
    start = np.maximum(
        (year - 1970).astype("datetime64[Y]").astype("datetime64[D]"),
        FIRST_ARREST + np.timedelta64(14, "D"),
    )
    end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    span = (end - start).astype(int)
    death = start + (rng.random(n) * span).astype(int).astype("timedelta64[D]")
    lag = rng.gamma(1.3, config.arrest_to_death_mean_days / 1.3, n).astype(int) + 3
    arrest = death - lag.astype("timedelta64[D]")
    early = arrest < FIRST_ARREST
    room = (death[early] - FIRST_ARREST).astype(int)
    arrest[early] = FIRST_ARREST + (rng.random(early.sum()) * room).astype(int).astype(
        "timedelta64[D]"
    )
    age = np.clip(15 + rng.gamma(2.5, (config.age_at_death_mean - 15) / 2.5, n), 15, 85)
    birth = death - (age * 365.25).astype(int).astype("timedelta64[D]")
    pop["death_date"] = death
    pop["arrest_date"] = arrest
    pop["birth_date"] = birth


def _detention(pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    fac = tables.facilities()
    n = len(pop)
    central = np.array(list(CENTRAL_FACILITIES))
    cw = np.array(list(CENTRAL_FACILITIES.values()))
    facility = rng.choice(central, size=n, p=cw / cw.sum())
    local = rng.random(n) < config.local_facility_share
    prisons = fac["facility_id"].str.startswith(("hosp-", "prison-", "mp-"))
    for pcode, idx in pop.groupby("governorate_pcode").indices.items():
        options = fac.loc[(fac["governorate_pcode"] == pcode) & ~prisons, "facility_id"]
        chosen = idx[local[idx]]
        if len(options) and len(chosen):
            facility[chosen] = rng.choice(options.to_numpy(), len(chosen))
    pop["facility_id"] = facility
    agency = fac.set_index("facility_id")["agency_ar"]
    party = agency.reindex(facility).to_numpy(dtype=object)
    # prisons receive people arrested by a security branch
    transferred = pd.Series(facility).str.startswith(("mp-", "prison-")).to_numpy()
    party[transferred] = rng.choice(list(AGENCY_EN_AR.values()), int(transferred.sum()))
    pop["arresting_party"] = party
    pop["detainee_number"] = rng.integers(100, 10_000, n).astype(str)
    in_hospital = rng.random(n) < 0.6
    pop["death_facility_id"] = np.where(
        in_hospital, np.where(rng.random(n) < 0.7, "hosp-601", "hosp-tishreen"), facility
    )
    pop["remains_returned"] = np.where(rng.random(n) < config.remains_returned_share, "yes", "no")
    # most are taken at home, at work or at a local checkpoint; some at a checkpoint on the
    # way to Damascus or in it
    home = tables.districts().set_index("district_pcode")["name_ar"]
    away = rng.random(n) < 0.15
    checkpoint = np.where(rng.random(n) < 0.5, "حاجز على طريق دمشق", "دمشق")
    pop["arrest_place"] = np.where(away, checkpoint, home.reindex(pop["district_pcode"]).to_numpy())


def _brothers(pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    """Groups of 2-3 men arrested together: shared parents, family, arrest and origin."""
    men = np.flatnonzero(pop["sex"].to_numpy() == "M")
    m = int(len(pop) * config.brothers_share)
    if m < 2 or len(men) < 2:
        pop["group_id"] = ""
        return
    members = rng.permutation(men)[: min(m, len(men))]
    sizes = rng.choice([2, 3], size=len(members), p=[0.75, 0.25])
    group = np.repeat(np.arange(len(sizes)), sizes)[: len(members)]
    if (group == group[-1]).sum() == 1:  # a group of one is no group
        members, group = members[:-1], group[:-1]
    first = np.r_[True, group[1:] != group[:-1]]
    head = members[first][group]
    shared = [
        "father_row", "grandfather_row", "family_row", "mother_row", "mother_family_row",
        "governorate_pcode", "district_pcode", "arrest_date", "arrest_place", "arresting_party",
        "facility_id",
    ]  # fmt: skip
    for col in shared:
        values = pop[col].to_numpy(copy=True)
        values[members] = values[head]
        pop[col] = values
    given = pop["given_row"].to_numpy(copy=True)
    prev = np.r_[members[:1], members[:-1]]  # the brother listed before (groups of <= 3)

    def same() -> np.ndarray:
        return ((given[members] == given[head]) | (given[members] == given[prev])) & ~first

    for _ in range(8):  # brothers have different given names
        clash = same()
        given[members[clash]] = tables.names().draw(rng, "male", int(clash.sum()))
    pop["given_row"] = given
    birth = pop["birth_date"].to_numpy(copy=True)
    gap = rng.integers(-3000, 3000, len(members)).astype("timedelta64[D]")
    birth[members] = np.where(first, birth[members], birth[head] + gap)
    pop["birth_date"] = birth
    death = pop["death_date"].to_numpy(copy=True)
    death[members] = np.maximum(death[members], pop["arrest_date"].to_numpy()[members])
    pop["death_date"] = death
    ids = np.full(len(pop), "", dtype=object)
    ids[members] = np.char.add("G", (group + 1).astype(str))
    pop["group_id"] = ids


def _homonyms(pop: pd.DataFrame, config: SimulationConfig, rng: np.random.Generator) -> None:
    """Exact four-part namesakes of another man, with another mother, birth and origin."""
    men = np.flatnonzero((pop["sex"].to_numpy() == "M") & (pop["group_id"].to_numpy() == ""))
    k = min(int(len(pop) * config.homonym_share), len(men) // 2)
    if k == 0:
        pop["homonym_of"] = ""
        return
    chosen = rng.choice(men, size=2 * k, replace=False)
    copy, source = chosen[:k], chosen[k:]
    for col in NAME_ROWS:
        values = pop[col].to_numpy(copy=True)
        values[copy] = values[source]
        pop[col] = values
    ref = np.full(len(pop), "", dtype=object)
    ref[copy] = pop["person_id"].to_numpy()[source]
    pop["homonym_of"] = ref


def _derived(pop: pd.DataFrame, rng: np.random.Generator) -> None:
    """Text columns in Arabic from the drawn rows, death year, registry number."""
    names = tables.names()
    for col in ("given", "father", "grandfather", "family", "mother", "mother_family"):
        pop[f"{col}_name"] = names.arabic[pop[f"{col}_row"].to_numpy()]
    pop["mother_name"] = pop["mother_name"] + " " + pop.pop("mother_family_name")
    pop["full_name"] = (
        pop["given_name"] + " " + pop["father_name"] + " " + pop["grandfather_name"] + " "
        + pop["family_name"]
    )  # fmt: skip
    dist = tables.districts().set_index("district_pcode")
    pop["place"] = dist["name_ar"].reindex(pop["district_pcode"]).to_numpy()
    govs = tables.governorates().set_index("pcode")
    pop["governorate"] = govs["name_ar"].reindex(pop["governorate_pcode"]).to_numpy()
    fac = tables.facilities().set_index("facility_id")
    pop["detention_facility"] = fac["name_ar"].reindex(pop["facility_id"]).to_numpy()
    pop["death_place"] = fac["name_ar"].reindex(pop["death_facility_id"]).to_numpy()
    pop["death_year"] = pop["death_date"].dt.year
    pop["birth_year"] = pop["birth_date"].dt.year
    number = rng.integers(1, 3000, len(pop)).astype(str)
    pop["registry_number"] = pop["place"] + "/" + number
