"""What a command handler is given: the parsed arguments' parser, the settings and a service built on first use."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NoReturn

from drafter.i18n import _

if TYPE_CHECKING:
    from drafter.service import DrafterService
    from drafter.settings import Settings


@dataclass(frozen=True)
class Command:
    """One subcommand: `arguments` declares its options on its own parser, `run` handles it and returns the exit code."""

    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Context, argparse.Namespace], int]


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    """`--user` for every command that acts for or reads as a user."""
    parser.add_argument("--user", help="who is acting (default: DRAFTER_USER)")


class Context:
    """Shared by all handlers; nothing heavy is built until a handler asks for it."""

    def __init__(self, parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings):
        self.parser = parser
        self.args = args
        self.settings = settings

    @cached_property
    def service(self) -> DrafterService:
        from drafter.service import DrafterService

        return DrafterService.from_settings(self.settings)

    def error(self, message: str) -> NoReturn:
        """A usage error: prints the usage line and the message, exits with code 2."""
        self.parser.error(message)

    def user(self) -> str:
        """The acting user (--user, else DRAFTER_USER); a usage error when neither says."""
        user = self.optional_user()
        if not user:
            self.error(_("say who you are with --user NAME or the DRAFTER_USER environment variable"))
        return user

    def optional_user(self) -> str | None:
        user = getattr(self.args, "user", None) or self.settings.user or os.environ.get("DRAFTER_USER")
        return str(user) if user else None
