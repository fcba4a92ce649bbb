"""The ``uncounted`` command line: one module per stage, each adding its commands."""
