"""Sources, import batches, verbatim source rows, canonical records, and the audit log."""
