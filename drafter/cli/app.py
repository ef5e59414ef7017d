"""The parser and the dispatch: a table of commands, each handled in its own module under drafter/cli/commands/.

Only the module of the command being run is imported, so `drafter --help` imports no command module at all.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import NamedTuple

from drafter import i18n
from drafter.cli.context import Command, Context
from drafter.cli.faults import fault_sentence
from drafter.cli.terminal import EscapingStream
from drafter.errors import DrafterError
from drafter.i18n import _

DESCRIPTION = "Drafting assistant with mandatory human review."


class Entry(NamedTuple):
    module: str  # under drafter.cli.commands; the module's COMMANDS[name] declares options and handles it
    help: str


COMMANDS: dict[str, Entry] = {
    "templates": Entry("catalog", "list templates"),
    "draft": Entry("drafting", "draft a document from a template; prints the draft id"),
    "generate": Entry("drafting", "resume or retry generation of a failed draft"),
    "show": Entry("drafts", "show a draft"),
    "list": Entry("drafts", "list drafts"),
    "edit": Entry("drafting", "replace a section's text with your own"),
    "refine": Entry("drafting", "regenerate one section by instruction"),
    "submit": Entry("review", "submit a draft for review"),
    "approve": Entry("review", "approve a draft in review (not your own)"),
    "findings": Entry("drafts", "list the automatic checks' findings on a draft"),
    "waive": Entry("review", "waive one finding with a written reason (recorded in the audit log)"),
    "eval": Entry("evaluate", "draft a folder of YAML cases and report findings, readability, time, tokens"),
    "request-changes": Entry("review", "send a draft in review back to its author"),
    "export": Entry("export", "export an approved draft to .docx (or PDF) with AI-use labels"),
    "verify": Entry("export", "check an exported .docx or PDF: signature, label, comments, provenance, approved hash"),
    "public-key": Entry("export", "print this deployment's public signing key (PEM), to publish for verify"),
    "import-review": Entry("word_review", "read a reviewed Word review copy: summary; --apply records it"),
    "audit": Entry("audit", "the audit log"),
    "simplify": Entry("simplify", "plain-language / child-friendly / easy-read versions of regulations"),
    "register": Entry("operations", "the AI-use register: one record per exported document"),
    "record": Entry("operations", "transparency record of this deployment (ATRS tiers 1 and 2)"),
    "doctor": Entry("operations", "check configuration, database, migrations and data folder"),
    "purge": Entry("operations", "delete source texts and LLM call logs older than an age (audit log kept)"),
    "scan": Entry("scan", "scan text files for personal data and classification markings"),
    "calls": Entry("audit", "list recorded backend calls"),
    "backends": Entry("catalog", "list the configured backends"),
}


def load_command(name: str) -> Command:
    module = importlib.import_module(f"drafter.cli.commands.{COMMANDS[name].module}")
    command: Command = module.COMMANDS[name]
    return command


def build_parser(only: str | None = None, *, full: bool = False) -> argparse.ArgumentParser:
    """The parser. Every command is listed; options are declared (module imported) for `only`, or all if `full`."""
    parser = argparse.ArgumentParser(prog="drafter", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, entry in COMMANDS.items():
        p = sub.add_parser(name, help=entry.help, description=entry.help)
        if full or name == only:
            load_command(name).arguments(p)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the line (the first word that is not an option), if it is one we know."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Every fault ends in one sentence on stderr and the documented exit code.

    The sentences are in the user's language: DRAFTER_LANGUAGE, else the POSIX locale (LC_ALL, LC_MESSAGES,
    LANG), else English. With --json, an error is one JSON object on stderr, the same under every locale."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(out), EscapingStream(err)
    try:
        with i18n.use(i18n.process_default()):
            try:
                code = _run(argv)
                sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
                return code
            except BrokenPipeError:
                _silence_stdout(out)
                print("drafter: " + _("the output was closed before everything was written (broken pipe)."),
                      file=err)
                return 1
    finally:
        sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_chosen(argv))
    args = parser.parse_args(argv)
    try:
        from drafter.logs import configure
        from drafter.settings import get_settings

        settings = get_settings()
        configure(settings.log_format, settings.log_level)
        return load_command(args.command).run(Context(parser, args, settings), args)
    except DrafterError as exc:
        if getattr(args, "json", False):
            from drafter.cli.output import error_json

            print(json.dumps(error_json(exc), ensure_ascii=False, sort_keys=True), file=sys.stderr)
        else:
            print(f"drafter: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        raise
    except Exception as exc:
        if os.environ.get("DRAFTER_DEBUG"):
            raise
        print(f"drafter: {fault_sentence(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("drafter: " + _("interrupted; work saved so far is kept."), file=sys.stderr)
        return 130


def _silence_stdout(stream: object) -> None:
    """After a broken pipe, point stdout at /dev/null so Python's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        pass
