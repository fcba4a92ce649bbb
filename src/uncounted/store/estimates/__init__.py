"""Stored estimates: inputs' hash, parameters, seed, version, strata and draws."""
