"""Web-only models (accounts, roles, login throttling)."""
