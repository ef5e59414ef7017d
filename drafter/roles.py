"""Who may do what in the UI: the roles drafter, reviewer and admin, read from settings.

Pure data and parsing (no Streamlit), so the CLI or a future API can apply the same map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from drafter.errors import InputError
from drafter.models import user_key, user_name
from drafter.settings import Settings


class Role(StrEnum):
    drafter = "drafter"
    reviewer = "reviewer"
    admin = "admin"


# Used only when nothing is configured and the development sign-in is active: two drafters, so that the
# four-eyes rule can be tried out, one of whom also reviews, and an administrator.
DEVELOPMENT_ROLES = "alice=drafter;bob=drafter,reviewer;carol=drafter,reviewer,admin"


@dataclass(frozen=True)
class RoleMap:
    """Roles per user (names in their normalised form, see models.user_name). A user who is not listed holds
    `default` (drafter) only."""

    users: dict[str, frozenset[Role]] = field(default_factory=dict)
    default: frozenset[Role] = frozenset({Role.drafter})
    configured: bool = True

    def roles(self, user: str) -> frozenset[Role]:
        found = self.users.get(user_key(user))
        if found is None:
            return self.default
        # an admin can do everything a reviewer and a drafter can
        return found | {Role.drafter, Role.reviewer} if Role.admin in found else found

    def has(self, user: str, role: Role) -> bool:
        return role in self.roles(user)

    def known_users(self) -> list[str]:
        return sorted(self.users)


def parse_roles(text: str, *, source: str = "roles") -> RoleMap:
    """Parse 'alice=drafter;bob=drafter,reviewer' (';' or new lines between users; '#' starts a comment)."""
    users: dict[str, frozenset[Role]] = {}
    entries = [e.split("#", 1)[0].strip() for line in text.splitlines() for e in line.split(";")]
    for entry in filter(None, entries):
        name, sep, names = entry.partition("=")
        if not sep or not name.strip():
            raise InputError(
                "{source}: {entry!r} is not of the form 'user=role,role'.",
                source=source, entry=entry,
            )
        try:
            name = user_name(name)
        except InputError as exc:
            raise InputError("{source}: {reason}", source=source, reason=exc) from None
        roles = set()
        for raw in (r.strip().lower() for r in names.split(",")):
            if not raw:
                continue
            try:
                roles.add(Role(raw))
            except ValueError:
                known = ", ".join(r.value for r in Role)
                raise InputError(
                    "{source}: unknown role {raw!r} for {name}; roles are {known}.",
                    source=source, raw=raw, name=name, known=known,
                ) from None
        if name in users:
            raise InputError("{source}: {name} is listed twice.", source=source, name=name)
        users[name] = frozenset(roles)
    return RoleMap(users=users)


def load_roles(settings: Settings) -> RoleMap:
    """The configured role map (settings.roles, else settings.roles_file), else the development default."""
    if settings.roles:
        return parse_roles(settings.roles, source="DRAFTER_ROLES")
    if settings.roles_file:
        try:
            text = settings.roles_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                "Roles file {path} could not be read: {reason}.",
                path=settings.roles_file, reason=exc.strerror or exc,
            ) from exc
        return parse_roles(text, source=str(settings.roles_file))
    default = parse_roles(DEVELOPMENT_ROLES)
    return RoleMap(users=default.users, configured=False)
