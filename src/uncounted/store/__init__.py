"""Storage at the edge: the workspace on disk and the Django models (SQLite or PostgreSQL).

Django apps, one per stage that stores something:
``core`` (sources, import batches, verbatim rows, records, audit),
``linkage`` (link runs, persons, decisions, the review queue),
``estimates`` (stored estimates). The web app (``uncounted.app``) adds accounts.
"""
