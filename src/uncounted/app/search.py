"""Person search (the family search): a name in either script → ranked persons.

Uses the linkage's own name model: the query is parsed into a name chain with
:func:`uncounted.names.parse_name_chain`, candidates are found in SQL through the indexed
cross-script keys of :class:`RecordFeatures` (so محمد and Mohammad meet), and each candidate is
scored with :func:`uncounted.names.similarity` on every name part given. A person's score
is their best record's score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, Value, When

from uncounted.names import name_key, normalize_name, parse_name_chain, similarity
from uncounted.store.core.models import Record
from uncounted.store.linkage.models import Person, RecordFeatures

MAX_CANDIDATES = 300
MAX_RESULTS = 50
# How much each part weighs in the name score (only the parts given count).
PART_WEIGHTS = {"given": 0.35, "father": 0.25, "grandfather": 0.1, "family": 0.3, "mother": 0.2}


@dataclass(frozen=True)
class Query:
    name: str
    father: str = ""
    mother: str = ""
    birth_year: int | None = None
    governorate: str = ""  # p-code

    def audit_details(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class Hit:
    person: Person
    score: float
    name: str
    sources: list[str] = field(default_factory=list)
    status: str = ""
    death_date: str = ""
    facility: str = ""


def query_parts(q: Query) -> dict[str, str]:
    """Normalised name parts the user gave (the chain parsed; explicit father wins)."""
    chain = parse_name_chain(q.name)
    parts = {
        "given": chain.given,
        "father": chain.father,
        "grandfather": chain.grandfather,
        "family": chain.family,
    }
    if q.father:
        parts["father"] = q.father
    if q.mother:
        parts["mother"] = q.mother
    return {k: normalize_name(v) for k, v in parts.items() if v and normalize_name(v)}


def query_keys(parts: dict[str, str]) -> dict[str, str]:
    keys = {p: name_key(v) for p, v in parts.items()}
    return {p: k for p, k in keys.items() if k}


def key_agreements(keys: dict[str, str]):
    """SQL: on how many name parts a record shares the query's cross-script key, so the
    database hands over the most promising candidates first."""
    terms = [
        Case(When(**{f"{p}_key": k}, then=Value(1)), default=Value(0), output_field=IntegerField())
        for p, k in keys.items()
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def candidate_filter(keys: dict[str, str]) -> Q:
    """Records sharing a cross-script key with the query on a pair of parts (or one part
    when only one was given): selective enough for SQL, loose enough for spelling."""
    given, family, father = keys.get("given"), keys.get("family"), keys.get("father")
    mother = keys.get("mother")
    clauses = []
    if given and family:
        clauses.append(Q(given_key=given, family_key=family))
    if given and father:
        clauses.append(Q(given_key=given, father_key=father))
    if family and father:
        clauses.append(Q(family_key=family, father_key=father))
    if given and mother:
        clauses.append(Q(given_key=given, mother_key=mother))
    if not clauses:
        only = next(iter(keys.values()), None)
        if only is None:
            return Q(pk__in=[])
        clauses = [Q(given_key=only), Q(family_key=only)]
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def part_similarities(parts: dict[str, str], feats: list[dict]) -> dict[str, dict[str, float]]:
    """``similarity`` once per distinct candidate value of each part (names repeat a lot:
    a few hundred distinct values among thousands of candidates)."""
    return {
        part: {v: similarity(value, v) for v in {f[f"{part}_norm"] for f in feats} if v}
        for part, value in parts.items()
    }


def score(sims: dict[str, dict[str, float]], feat: dict, q: Query, gov: str) -> float:
    """Weighted name similarity over the parts given, nudged by birth year and place."""
    total = weight = 0.0
    for part, table in sims.items():
        w = PART_WEIGHTS[part]
        other = feat.get(f"{part}_norm") or ""
        if not other:
            w *= 0.3  # a missing part is weak evidence, not disagreement
            sim = 0.5
        else:
            sim = table[other]
        total += w * sim
        weight += w
    result = total / weight if weight else 0.0
    if q.birth_year is not None and feat.get("birth_year_min") is not None:
        lo = feat["birth_year_min"]
        hi = feat["birth_year_max"] if feat["birth_year_max"] is not None else lo
        result *= 1.0 if lo - 2 <= q.birth_year <= hi + 2 else 0.8
    if q.governorate and gov:
        result *= 1.0 if gov == q.governorate else 0.85
    return round(result, 3)


def search(q: Query) -> list[Hit]:
    """Ranked persons (best first, at most :data:`MAX_RESULTS`)."""
    parts = query_parts(q)
    keys = query_keys(parts)
    if not keys:
        return []
    candidates = RecordFeatures.objects.filter(candidate_filter(keys))
    if len(keys) > 1:  # with one key every candidate agrees once: no order to compute
        candidates = candidates.annotate(agree=key_agreements(keys)).order_by("-agree")
    feats = list(
        candidates.values(
            "record_id",
            *(f"{p}_norm" for p in PART_WEIGHTS),
            "birth_year_min",
            "birth_year_max",
        )[:MAX_CANDIDATES]
    )
    if not feats:
        return []
    ids = [f["record_id"] for f in feats]
    info = {
        r["pk"]: r
        for r in Record.objects.filter(pk__in=ids).values(
            "pk",
            "governorate_pcode",
            "membership__person_id",
            "full_name",
            "given_name",
            "father_name",
            "family_name",
            "status",
            "death_date",
            "detention_facility",
        )
    }
    sims = part_similarities(parts, feats)
    best: dict[int, tuple[float, dict]] = {}
    for feat in feats:
        rec = info.get(feat["record_id"])
        if rec is None or rec["membership__person_id"] is None:
            continue
        s = score(sims, feat, q, rec["governorate_pcode"])
        pid = rec["membership__person_id"]
        if pid not in best or s > best[pid][0]:
            best[pid] = (s, rec)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:MAX_RESULTS]
    persons = Person.objects.in_bulk([pid for pid, _ in ranked])
    return [
        Hit(
            person=persons[pid],
            score=s,
            name=rec["full_name"]
            or " ".join(rec[f] for f in ("given_name", "father_name", "family_name") if rec[f]),
            sources=persons[pid].sources,
            status=rec["status"],
            death_date=rec["death_date"],
            facility=rec["detention_facility"],
        )
        for pid, (s, rec) in ranked
        if pid in persons
    ]


def warm_up() -> None:
    """Load the name model's tables (a few seconds, once per process) before the first
    family search has to wait for them: ``uncounted serve`` calls this before it listens."""
    similarity(normalize_name("محمد"), normalize_name("Mohammad"))
    name_key("Mohammad")
