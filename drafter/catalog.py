"""Loads and validates templates and style guides (strict schemas, duplicate ids rejected).

They ship inside the package (drafter/templates/, drafter/style_guides/, found with importlib.resources by
`drafter.settings.packaged_data`); DRAFTER_TEMPLATES_DIR and DRAFTER_STYLE_GUIDES_DIR point at other folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from drafter.errors import CatalogError, NotFoundError
from drafter.models import StyleGuide, Template
from drafter.textfill import placeholders

T = TypeVar("T", bound=BaseModel)

DATA_SUFFIXES = (".yaml", ".yml")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A SafeLoader that rejects duplicate keys instead of silently keeping the last one (libyaml's parser where
    PyYAML has it: the catalog loads several times faster; the same constructors, so the same values)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def load_file(path: Path, model: type[T]) -> T:
    """Parse one YAML data file into `model`, raising CatalogError naming the file and the problem."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(
            "{path}: not valid YAML ({reason})",
            path=path, reason=str(exc).splitlines()[0],
        ) from exc
    if not isinstance(raw, dict):
        raise CatalogError("{path}: expected a mapping at the top level", path=path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError("{path}: {problem}", path=path, problem=_describe(exc)) from exc


def _files(root: Path) -> Iterable[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in DATA_SUFFIXES and p.is_file())


class Catalog:
    """All templates and style guides, validated together."""

    def __init__(self, templates: dict[str, Template], style_guides: dict[str, StyleGuide]):
        self.templates = templates
        self.style_guides = style_guides

    @classmethod
    def load(cls, templates_dir: Path, style_guides_dir: Path) -> Catalog:
        templates = _load_all(templates_dir, Template)
        guides = _load_all(style_guides_dir, StyleGuide)
        for t in templates.values():
            guide = guides.get(t.default_style_guide)
            if guide is None:
                raise CatalogError(
                    "template {template_id!r}: default_style_guide {style_guide!r} does not exist",
                    template_id=t.id, style_guide=t.default_style_guide,
                )
            if guide.language != t.language:
                raise CatalogError(
                    "template {template_id!r}: style guide {style_guide!r} is {guide_language}, template "
                    "is {template_language}",
                    template_id=t.id,
                    style_guide=guide.id,
                    guide_language=guide.language,
                    template_language=t.language,
                )
            _check_template(t)
        return cls(templates, guides)

    def template(self, template_id: str) -> Template:
        try:
            return self.templates[template_id]
        except KeyError:
            known = ", ".join(sorted(self.templates))
            raise NotFoundError(
                "Unknown template {template_id!r}; known templates: {known}.",
                template_id=template_id, known=known,
            ) from None

    def style_guide(self, guide_id: str) -> StyleGuide:
        try:
            return self.style_guides[guide_id]
        except KeyError:
            known = ", ".join(sorted(self.style_guides))
            raise NotFoundError(
                "Unknown style guide {guide_id!r}; known style guides: {known}.",
                guide_id=guide_id, known=known,
            ) from None

    def list_templates(self, language: str | None = None, workflow: str = "draft") -> list[Template]:
        items = [
            t for t in self.templates.values()
            if (language is None or t.language == language) and t.workflow == workflow
        ]
        return sorted(items, key=lambda t: (t.language, t.kind, t.id))

    def compatible_style_guides(self, template: Template) -> list[StyleGuide]:
        return [g for g in self.style_guides.values() if g.language == template.language]


def _load_all(root: Path, model: type[T]) -> dict[str, T]:
    if not root.is_dir():
        raise CatalogError("{root}: folder not found", root=root)
    items: dict[str, T] = {}
    origin: dict[str, Path] = {}
    for path in _files(root):
        item = load_file(path, model)
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in items:
            raise CatalogError(
                "{path}: duplicate id {item_id!r} (already defined in {other})",
                path=path, item_id=item_id, other=origin[item_id],
            )
        items[item_id] = item
        origin[item_id] = path
    return items


def _check_template(t: Template) -> None:
    names = [f.name for f in t.fields]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise CatalogError(
            "template {template_id!r}: duplicate field names {names}",
            template_id=t.id, names=sorted(dupes),
        )
    roles = [f.role for f in t.fields if f.role]
    if len(set(roles)) != len(roles):
        raise CatalogError(
            "template {template_id!r}: a layout role is filled by more than one field",
            template_id=t.id,
        )
    section_ids = [s.id for s in t.sections]
    if len(set(section_ids)) != len(section_ids):
        raise CatalogError("template {template_id!r}: duplicate section ids", template_id=t.id)
    for s in t.sections:
        unknown = [n for n in s.inputs if n not in names]
        if unknown:
            raise CatalogError(
                "template {template_id!r}, section {section_id!r}: unknown input fields {unknown}",
                template_id=t.id, section_id=s.id, unknown=unknown,
            )
        missing = [n for n in placeholders(s.offline_text) if n not in names]
        if missing:
            raise CatalogError(
                "template {template_id!r}, section {section_id!r}: offline_text names unknown fields "
                "{missing}",
                template_id=t.id, section_id=s.id, missing=missing,
            )
    if t.title_field and t.title_field not in names:
        raise CatalogError(
            "template {template_id!r}: title_field {field!r} is not a field",
            template_id=t.id, field=t.title_field,
        )
