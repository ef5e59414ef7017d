"""The docs' renderings still build: the same script as `make docs-renderings`, on one small sample, into tmp."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.libreoffice


def _script():  # noqa: ANN202 - a module loaded from a path
    spec = importlib.util.spec_from_file_location("build_renderings", ROOT / "bench" / "build_renderings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_sample_request_is_valid() -> None:
    from drafter.catalog import Catalog
    from drafter.settings import Settings

    samples = _script().samples()
    assert set(samples) == {"briefing", "minutes", "press-release", "tongzhi"}
    settings = Settings()
    catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
    for request in samples.values():
        template = catalog.template(request.template_id)
        required = {f.name for f in template.fields if f.required}
        assert required <= {k for k, v in request.inputs.items() if v.strip()}, request.template_id


def test_rendering_pipeline_builds_pngs(tmp_path: Path) -> None:
    written = _script().build(tmp_path, names=["minutes"], dpi=30)
    assert written and all(p.parent == tmp_path and p.name.startswith("minutes-page") for p in written)
    for png in written:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    # the committed renderings the README shows are there
    for name in ("briefing", "minutes", "press-release", "tongzhi"):
        assert (ROOT / "docs" / "renderings" / f"{name}-page1.png").is_file()
