"""uncounted: count the dead and the disappeared.

Lists go one way through the stages: ``records`` (import) → ``names`` (normalise) →
``link`` (persons) → ``estimate`` (multiple systems estimation) → ``report`` / ``app``.
Storage (``store``), the command line (``cli``) and the web (``app``) sit at the edges.
"""

__version__ = "0.1.0"
