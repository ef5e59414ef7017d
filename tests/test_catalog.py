"""Catalog: every shipped template and style guide loads and renders; malformed files are rejected clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.catalog import Catalog
from drafter.errors import CatalogError
from drafter.models import DraftRequest, SourceDoc
from drafter.prompts import build_section_prompt
from drafter.settings import Settings

REQUIRED_EN_KINDS = {"briefing", "minutes", "notice", "press release", "email", "report"}


def shipped() -> Catalog:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir)


def test_shipped_catalog_has_the_required_templates_and_guides() -> None:
    catalog = shipped()
    kinds = {t.kind for t in catalog.list_templates("en")}
    assert kinds >= REQUIRED_EN_KINDS
    assert {"plain-english", "house-style"} <= set(catalog.style_guides)


def test_every_template_renders_with_every_compatible_style_guide() -> None:
    catalog = shipped()
    source = SourceDoc(name="notes.txt", text="A fact from the source.")
    rendered = 0
    for template in catalog.templates.values():
        inputs = {f.name: f"sample {f.label}" for f in template.fields}
        for guide in catalog.compatible_style_guides(template):
            prefixes = set()
            for spec in template.sections:
                for sources in ([], [source]):
                    prompt = build_section_prompt(template, guide, inputs, sources, spec)
                    assert spec.heading in prompt.prompt_text
                    assert guide.title in prompt.system_text
                    assert len(prompt.sha256) == 64
                    system, user = prompt.messages
                    assert (system.role, user.role) == ("system", "human")
                    assert f"Audience: {template.audience}" in prompt.system_text
                    assert f"Purpose: {template.purpose}" in prompt.system_text
                    text = prompt.prompt_text
                    for f in template.fields:  # every input is in the prompt, and before the sources
                        assert f"sample {f.label}" in text
                        assert text.index(f"sample {f.label}") < text.index("ource documents" if sources else "No source")
                    prefixes.add(prompt.system_text)
                    rendered += 1
            # the stable prefix is the same for every section of a template: provider caches can reuse it
            assert len(prefixes) == 1
    assert rendered >= 2 * len(catalog.templates)


def _write_catalog(tmp_path: Path, template_yaml: str) -> tuple[Path, Path]:
    tdir, gdir = tmp_path / "t", tmp_path / "g"
    tdir.mkdir()
    gdir.mkdir()
    (gdir / "g.yaml").write_text("id: g\ntitle: G\nlanguage: en\naudience: everyone\n")
    (tdir / "bad.yaml").write_text(template_yaml)
    return tdir, gdir


GOOD = """id: t1
title: T
language: en
kind: notice
description: d
audience: a
purpose: p
default_style_guide: g
fields:
  - {name: x, label: X, required: true}
sections:
  - {id: s, heading: S, instruction: I, offline_text: "{x}"}
"""


def test_a_valid_minimal_template_loads(tmp_path: Path) -> None:
    tdir, gdir = _write_catalog(tmp_path, GOOD)
    assert Catalog.load(tdir, gdir).template("t1").title == "T"
    assert Catalog.load(tdir, gdir).template("t1").generation == "per_section"
    (tmp_path / "whole").mkdir()
    tdir, gdir = _write_catalog(tmp_path / "whole", GOOD + "generation: whole_document\n")
    assert Catalog.load(tdir, gdir).template("t1").generation == "whole_document"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour: red\n", "colour: unknown key"),
        (GOOD.replace("id: t1", "id: t1\nid: t2"), "duplicate key 'id'"),
        (GOOD.replace("language: en", "language: fr"), "language"),
        (GOOD.replace("default_style_guide: g", "default_style_guide: nope"), "'nope' does not exist"),
        (GOOD.replace('offline_text: "{x}"', 'offline_text: "{y}"'), "unknown fields ['y']"),
        (GOOD + "generation: all_at_once\n", "generation"),
        ("id: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        (GOOD.replace("sections:\n  - {id: s, heading: S, instruction: I, offline_text: \"{x}\"}\n", "sections: []\n"),
         "sections"),
    ],
)
def test_malformed_templates_are_rejected_with_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    tdir, gdir = _write_catalog(tmp_path, text)
    with pytest.raises(CatalogError) as err:
        Catalog.load(tdir, gdir)
    assert message in str(err.value)
    if "duplicate key" not in message and "does not exist" not in message and "unknown fields" not in message:
        assert "bad.yaml" in str(err.value)


def test_duplicate_ids_across_files_are_rejected(tmp_path: Path) -> None:
    tdir, gdir = _write_catalog(tmp_path, GOOD)
    (tdir / "copy.yaml").write_text(GOOD)
    with pytest.raises(CatalogError, match="duplicate id 't1'"):
        Catalog.load(tdir, gdir)


def test_format_injection_in_a_template_is_rendered_as_text(tmp_path: Path) -> None:
    """A template's text is data: `{x.__class__}` and Jinja syntax are never evaluated."""
    from drafter.backends.base import GenerationOptions
    from drafter.backends.offline import OfflineBackend

    hostile = GOOD.replace('offline_text: "{x}"', 'offline_text: "{x} {x.__class__} {{ 7*7 }} {0}"')
    tdir, gdir = _write_catalog(tmp_path, hostile)
    catalog = Catalog.load(tdir, gdir)
    t = catalog.template("t1")
    request = DraftRequest(template_id="t1", inputs={"x": "hello"})
    prompt = build_section_prompt(t, catalog.style_guide("g"), request.inputs, [], t.sections[0])
    text = OfflineBackend().generate(prompt.request(), GenerationOptions()).text
    assert text == "hello {x.__class__} {{ 7*7 }} {0}"
