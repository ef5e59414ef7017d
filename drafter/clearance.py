"""Clearance levels: one ordered scale that every classification marking and every backend is placed on.

Schemes differ by country (UK, US, Canada, China); the scale is the coarse common ground so a backend's
clearance can be compared with any marking. The mapping of each marking to a level is in `markings.py`.
"""

from __future__ import annotations

from enum import StrEnum


class Clearance(StrEnum):
    """Ordered lowest to highest; a backend cleared at a level may receive content marked at or below it."""

    public = "public"  # unmarked / OFFICIAL / UNCLASSIFIED
    restricted = "restricted"  # OFFICIAL-SENSITIVE, RESTRICTED, PROTECTED A/B, 内部
    confidential = "confidential"  # CONFIDENTIAL, PROTECTED C, 秘密
    secret = "secret"  # SECRET, 机密
    top_secret = "top_secret"  # TOP SECRET, 绝密

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def allows(self, level: Clearance) -> bool:
        """True when content at `level` may go to a backend cleared at this level."""
        return level.rank <= self.rank


_ORDER = [Clearance.public, Clearance.restricted, Clearance.confidential, Clearance.secret, Clearance.top_secret]
