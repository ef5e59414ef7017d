"""Drafter: a drafting assistant for civil servants."""

__version__ = "0.1.0"
