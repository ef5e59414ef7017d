"""Sensitive-data guard: detection, classification markings, risk tiers, reversible pseudonymisation.

Import from the submodules; this package import stays light (Presidio is loaded on first scan).
"""
