"""Fault-case fixtures: billing plans and residents with cards (shared with the billing tests)."""
from tests.billing.conftest import billing_plans, carded_client  # noqa: F401 - fixtures
