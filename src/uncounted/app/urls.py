"""URL map of the web application. Every view checks the one permission table."""

from __future__ import annotations

from pathlib import Path

from django.urls import path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from uncounted.app.views import auth, estimates, imports, lists, pages, review, search

STATIC_ROOT = Path(__file__).resolve().parent / "static"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("persons/", pages.persons, name="persons"),
    path("persons/<str:public_id>/", pages.person, name="person"),
    path("records/<int:pk>/", pages.record, name="record"),
    path("review/", review.review, name="review"),
    path("review/decide/", review.decide, name="review_decide"),
    path("review/next.json", review.next_item_json, name="review_next_json"),
    path("search/", search.search_view, name="search"),
    path("lists/", lists.lists, name="lists"),
    path("lists/<str:kind>.<str:fmt>", lists.export, name="list_export"),
    path("estimates/", estimates.estimates, name="estimates"),
    path("estimates/start/", estimates.start, name="estimate_start"),
    path("estimates/jobs/<int:pk>/", estimates.job_status, name="estimate_job"),
    path("imports/", imports.imports, name="imports"),
    path("imports/<str:token>/", imports.mapping, name="import_mapping"),
    path("audit/", pages.audit_log, name="audit"),
    # Assets are served by the app itself: no CDN, works offline.
    re_path(r"^static/(?P<path>.+)$", serve, {"document_root": STATIC_ROOT}),
]

handler403 = pages.forbidden
handler404 = pages.not_found
