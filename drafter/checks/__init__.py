"""Checks run on every draft: unsupported facts, style-guide lint and readability."""
