"""Read source files, map and validate their columns, derive canonical records, import them.

``uncounted.records.importer.import_file`` is the entry point (all-or-nothing import).
"""
