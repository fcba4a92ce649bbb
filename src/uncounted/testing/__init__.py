"""Test infrastructure shipped with the package (like ``django.test``): a throwaway
PostgreSQL cluster for the test-suite."""
