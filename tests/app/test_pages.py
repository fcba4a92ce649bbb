"""Every page through Django's test client, with what it must show (and must not)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from uncounted.store.core.models import AuditEntry, ImportBatch, Record, SourceRow
from uncounted.store.estimates.models import Estimate, StratumEstimate
from uncounted.store.linkage.models import Decision, ReviewItem

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode("utf-8")


def test_dashboard_counts(clients, world):
    Estimate.objects.create(
        created_by="t",
        method="lcmcr",
        software_version="t",
        inputs_hash="x",
        observed=3,
        estimate=7.0,
        lower=4.0,
        upper=15.0,
        sources=["official", "families"],
    )
    page = text(clients["viewer"].get("/"))
    assert 'id="n-records">4<' in page
    assert 'id="n-persons">3<' in page
    assert 'id="n-review">1<' in page
    assert "lcmcr" in page and "4 – 15" in page
    assert "2014" in page and "SY02" not in page and "Aleppo" in page  # reference names


def test_person_page_side_by_side_with_disagreements(clients, world):
    page = text(clients["reviewer"].get("/persons/P-1/"))
    assert "محمد أحمد الخطيب" in page and "Mohammad Ahmad al-Khatib" in page
    # the sources disagree on the cause of death: both claims shown, row highlighted
    assert "heart attack" in page and "torture" in page
    assert '<tr class="diff"><th>Cause of death</th>' in page
    # not contradictions: one name in two scripts, one governorate in two languages, a
    # death date given to the month against one to the day
    assert '<tr class=""><th>Full name</th>' in page
    assert '<tr class=""><th>Governorate</th>' in page
    assert '<tr class=""><th>Death date</th>' in page
    assert "<strong>2012-11</strong> arrested" in page  # timeline
    assert "not returned" in page and "(official)" in page
    assert f'href="/records/{world.records["official:A1"].pk}/"' in page
    entry = AuditEntry.objects.filter(action="person.view").first()
    assert entry.actor == "u_reviewer" and entry.object_id == str(world.persons["P-1"].pk)


def test_family_liaison_sees_a_summary_only(clients, world):
    liaison = clients["family_liaison"]
    assert liaison.get("/persons/P-1/").status_code == 403  # not found by a search yet
    liaison.post("/search/", {"name": "محمد أحمد الخطيب"})
    assert liaison.get("/persons/P-3/").status_code == 403  # not in the results
    page = text(liaison.get("/persons/P-1/"))
    assert "محمد أحمد الخطيب" in page and "Saydnaya Military Prison" in page
    assert "/records/" not in page and "side-by-side" not in page
    assert "raw-row" not in page
    assert clients["family_liaison"].get("/lists/died_custody.csv").status_code == 403


def test_record_page_shows_raw_row(clients, world):
    rec = world.records["official:A1"]
    page = text(clients["data_entry"].get(f"/records/{rec.pk}/"))
    assert 'id="raw-row"' in page and '<th dir="auto">name</th>' in page
    assert "official.csv" in page and "row 2" in page.replace("</span>", "")
    assert clients["admin"].get("/records/999999/").status_code == 404


def test_persons_list_and_paging(clients, world):
    page = text(clients["viewer"].get("/persons/"))
    assert "P-1" in page and "P-2" in page and "P-3" in page
    only = text(clients["viewer"].get(f"/persons/?source={world.records['official:A1'].source_id}"))
    assert "P-1" in only and "P-2" not in only
    assert clients["viewer"].get("/persons/?page=zzz").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "محمد أحمد الخطيب"}, "P-1"),
        ({"name": "Muhammed Ahmed Al Khatib"}, "P-1"),
        ({"name": "احمد علي حسن", "birth_year": "1990"}, "P-2"),
        ({"name": "Mohamad", "father": "أحمد"}, "P-1"),
    ],
)
def test_search_finds_across_scripts_and_is_audited(clients, world, query, expected):
    response = clients["family_liaison"].post("/search/", query)
    page = text(response)
    assert f'href="/persons/{expected}/"' in page
    first = page.index("<tbody>")
    assert page.index(f"/persons/{expected}/", first) < page.index("</tbody>", first)
    entry = AuditEntry.objects.filter(action="search").first()
    assert entry.actor == "u_family_liaison"
    assert entry.details["name"] == query["name"]


def test_search_ranks_the_better_match_first(clients, world):
    page = text(
        clients["viewer"].post("/search/", {"name": "Ahmad Ali Hassan", "birth_year": "1990"})
    )
    assert page.index("/persons/P-2/") < page.index("/persons/P-3/")


def test_search_needs_a_name_and_a_post(clients, world):
    page = text(clients["viewer"].post("/search/", {"name": ""}))
    assert "results" not in page
    # GET shows the form only: names never travel in URLs
    assert 'id="results"' not in text(clients["viewer"].get("/search/?name=x"))
    assert not AuditEntry.objects.filter(action="search").exists()


def test_campaign_lists_and_exports(clients, world):
    page = text(clients["viewer"].get("/lists/"))
    died = page[page.index('id="died-custody"') : page.index('id="held"')]
    assert "P-1" in died and "P-3" in died and "P-2" not in died
    held = page[page.index('id="held"') :]
    assert "P-2" in held.split("</section>")[0]
    assert "/lists/died_custody.csv" not in page  # viewers may not export
    response = clients["analyst"].get("/lists/died_custody.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["person", "name", "facility"]
    assert {r[0] for r in rows[1:]} == {"P-1", "P-3"}
    xlsx = clients["admin"].get("/lists/held.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=1).value == "P-2"
    assert AuditEntry.objects.filter(action="list.export").count() == 2
    assert clients["admin"].get("/lists/nope.csv").status_code == 404


def test_review_decide_and_next(clients, world):
    page = text(clients["reviewer"].get("/review/"))
    assert f'data-item="{world.item.pk}"' in page
    assert 'class="diff"' in page and "Ahmad Ali Hassan" in page and 'dir="auto"' in page
    assert '<tr class="diff"><th>Status</th>' in page  # detained against dead
    assert '<tr class=""><th>Full name</th>' in page  # the same name in two scripts
    assert '<tr class="diff"><th>Birth date</th>' in page  # 1990 against 1991
    assert "given_name" in page and "-2.60" in page  # explanation per comparison
    response = clients["reviewer"].post(
        "/review/decide/", {"item": world.item.pk, "verdict": "different", "note": "other mother"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.kind, decision.actor, decision.note) == (
        "cannot_link",
        "u_reviewer",
        "other mother",
    )
    assert ReviewItem.objects.get().status == "decided"
    assert AuditEntry.objects.filter(action="link.decision").exists()
    assert 'id="queue-empty"' in text(clients["reviewer"].get("/review/"))


def test_unsure_moves_on_to_another_item(clients, db):
    from . import world as world_module

    built = world_module.build(review_items=2)
    first = clients["analyst"].get("/review/next.json").json()["item"]
    clients["analyst"].post("/review/decide/", {"item": first, "verdict": "unsure"})
    second = clients["analyst"].get("/review/next.json").json()["item"]
    assert second != first and second is not None
    assert Decision.objects.get().kind == "unsure"
    assert built.item.pk in (first, second)


@pytest.mark.postgres
def test_concurrent_reviewers_never_share_an_item_and_lose_nothing(clients, db):
    from . import world as world_module

    world_module.build(review_items=2)
    a = clients["reviewer"].get("/review/next.json").json()
    b = clients["analyst"].get("/review/next.json").json()
    c = clients["admin"].get("/review/next.json").json()
    assert a["item"] != b["item"] and c["item"] is None
    # the same reviewer asking again keeps their item (no hopping)
    assert clients["reviewer"].get("/review/next.json").json()["item"] == a["item"]
    # a claim that ran out is taken by someone else; both decisions are kept
    ReviewItem.objects.filter(pk=a["item"]).update(claimed_until="2000-01-01T00:00:00Z")
    assert clients["admin"].get("/review/next.json").json()["item"] == a["item"]
    clients["admin"].post("/review/decide/", {"item": a["item"], "verdict": "same"})
    clients["reviewer"].post("/review/decide/", {"item": a["item"], "verdict": "different"})
    kinds = list(Decision.objects.order_by("id").values_list("kind", "actor", "active"))
    assert kinds == [("must_link", "u_admin", False), ("cannot_link", "u_reviewer", True)]


def test_review_rejects_bad_input(clients, world):
    assert clients["reviewer"].post("/review/decide/", {"item": "x"}).status_code == 302
    assert (
        clients["reviewer"].post("/review/decide/", {"item": 99999, "verdict": "same"}).status_code
        == 302
    )
    assert not Decision.objects.exists()
    assert clients["reviewer"].get("/review/decide/").status_code == 405


def test_estimates_page_shows_strata(clients, world):
    est = Estimate.objects.create(
        created_by="t",
        method="lcmcr",
        software_version="t",
        inputs_hash="abc",
        observed=3,
        estimate=9.0,
        lower=5.0,
        upper=20.0,
        by=["governorate"],
        seed=7,
    )
    StratumEstimate.objects.create(
        estimate=est, position=0, label="حلب", observed=2, estimate_value=5.0, lower=3.0, upper=9.0
    )
    page = text(clients["viewer"].get("/estimates/"))
    assert "حلب" in page and "5 – 20" in page and 'id="strata"' in page
    assert "estimate-form" not in page  # viewers cannot start one
    assert "estimate-form" in text(clients["analyst"].get("/estimates/"))


def test_audit_page_lists_and_filters(clients, world):
    clients["viewer"].get("/persons/P-1/")
    page = text(clients["admin"].get("/audit/?action=person.view"))
    assert "person.view" in page and "u_viewer" in page
    assert "login" not in text(clients["admin"].get("/audit/?action=search"))


def test_static_assets_are_served_by_the_app(client):
    response = client.get("/static/webapp/app.css")
    assert response.status_code == 200
    assert b".bars" in b"".join(response.streaming_content)


def test_arabic_interface_is_rtl(clients, world):
    client = clients["viewer"]
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    page = text(client.get("/"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "لوحة" in page  # the dashboard's Arabic title


def test_cached_aggregates_follow_new_data(clients, world):
    assert 'id="n-records">4<' in text(clients["viewer"].get("/"))
    source = world.records["official:A1"].source
    batch = ImportBatch.objects.create(
        source=source,
        file_name="more.csv",
        file_sha256="2" * 64,
        file_size=1,
        file_format="csv",
        imported_by="t",
    )
    row = SourceRow.objects.create(batch=batch, row_number=2, record_id="A9", raw={})
    Record.objects.create(source=source, record_id="A9", batch=batch, row=row)
    assert 'id="n-records">5<' in text(clients["viewer"].get("/"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reviewers_claiming_at_the_same_moment_never_share_an_item():
    """Real concurrency: six reviewer threads claim at once, each on its own connection."""
    import threading
    import time

    from django.db import OperationalError, connection

    from uncounted.app.review import claim_next

    from . import world as world_module

    world_module.build(review_items=12)
    barrier = threading.Barrier(6)
    claimed: dict[str, list[int]] = {}

    def claim(name: str, mine: list[int]):
        # The SQLite *test* database is in memory with a shared cache, whose table locks
        # fail at once instead of waiting (a file database in WAL mode waits): retry there.
        for _ in range(200):
            try:
                return claim_next(name, skip=mine)
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.01)
        raise AssertionError("never got the table")

    def reviewer(name: str) -> None:
        try:
            barrier.wait()
            mine = []
            for _ in range(2):
                item = claim(name, mine)
                if item is not None:
                    mine.append(item.pk)
            claimed[name] = mine
        finally:
            connection.close()

    threads = [threading.Thread(target=reviewer, args=(f"r{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [pk for items in claimed.values() for pk in items]
    assert len(every) == 12 and len(set(every)) == 12
    held = dict(ReviewItem.objects.values_list("pk", "claimed_by"))
    assert all(held[pk] == name for name, items in claimed.items() for pk in items)
