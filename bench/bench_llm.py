"""LLM path figures: streaming overhead to the first token, and prompt sizes per template.

Runs against the scripted OpenAI-compatible server from tests/fake_openai.py on 127.0.0.1 (no network, no
model). Token counts are the server's reported `usage.prompt_tokens`, which the fake server computes with
`drafter.prompts.estimate_tokens` (one token per CJK character, one per four other characters): tiktoken is
not used because it downloads its vocabularies at run time.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.goals import figure  # noqa: E402
from drafter.backends.base import CallReport, GenerationOptions  # noqa: E402
from drafter.backends.openai_compat import OpenAICompatBackend  # noqa: E402
from drafter.catalog import Catalog  # noqa: E402
from drafter.prompts import build_section_prompt  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from tests.fake_openai import FakeOpenAI, text  # noqa: E402

RUNS = 30
SERVER_FIRST_TOKEN_S = 0.050


def _first_token_overhead(server: FakeOpenAI, catalog: Catalog) -> None:
    t = catalog.template("briefing")
    inputs = {f.name: f"sample {f.label}" for f in t.fields}
    prompt = build_section_prompt(t, catalog.style_guide(t.default_style_guide), inputs, [], t.sections[0]).request()
    backend = OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="bench")
    options = GenerationOptions(max_retries=0, timeout_s=10)
    server.fallback = lambda req: text("A short streamed answer for the benchmark.",
                                       first_token_delay_s=SERVER_FIRST_TOKEN_S)
    overheads: list[float] = []
    for i in range(RUNS + 1):
        started = time.perf_counter()
        stream = backend.stream(prompt, options)
        next(stream)
        elapsed = time.perf_counter() - started
        for _ in stream:
            pass
        if i > 0:  # the first run builds the client; reported separately
            overheads.append((elapsed - SERVER_FIRST_TOKEN_S) * 1000)
        else:
            cold = (elapsed - SERVER_FIRST_TOKEN_S) * 1000
    overheads.sort()
    p95 = overheads[int(0.95 * (len(overheads) - 1))]
    print(f"llm: time to first streamed token beyond the server's own {SERVER_FIRST_TOKEN_S * 1000:.0f} ms "
          f"(langchain-openai -> HTTP 127.0.0.1, {RUNS} runs): median {statistics.median(overheads):.1f} ms, "
          f"p95 {p95:.1f} ms, first call (client set-up) {cold:.1f} ms")
    figure("LLM time to first token beyond the server's own", f"median {statistics.median(overheads):.1f} ms, "
           f"p95 {p95:.1f} ms (x{statistics.median(overheads) / (SERVER_FIRST_TOKEN_S * 1000):.2f} of the server's)")


def _prompt_sizes(server: FakeOpenAI, catalog: Catalog) -> None:
    backend = OpenAICompatBackend(model="fake-model", base_url=server.base_url, api_key="bench")
    server.fallback = lambda req: text("ok")
    options = GenerationOptions(max_retries=0, timeout_s=10)
    print("llm: prompt size per template with its default style guide (server-reported tokens, estimated; "
          "sample inputs, no sources)")
    print(f"  {'template':16} {'style guide':14} {'sections':>8} {'1st section':>12} {'all sections':>13}")
    totals: dict[str, tuple[int, int]] = {}
    for t in sorted(catalog.templates.values(), key=lambda t: t.id):
        guide = catalog.style_guide(t.default_style_guide)
        inputs = {f.name: f"sample {f.label}" for f in t.fields}
        sizes = []
        for spec in t.sections:
            report = CallReport()
            backend.generate(build_section_prompt(t, guide, inputs, [], spec).request(), options, report)
            sizes.append(report.input_tokens or 0)
        print(f"  {t.id:16} {guide.id:14} {len(sizes):8} {sizes[0]:12} {sum(sizes):13}")
        totals[t.id] = (sizes[0], sum(sizes))
    largest = max(totals, key=lambda k: totals[k][1])
    figure("LLM prompt tokens per document (estimated)", f"largest {largest} {totals[largest][1]} "
           f"(x{totals[largest][1] / totals[largest][0]:.1f} its first section), briefing {totals['briefing'][1]}")


def main() -> None:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    with FakeOpenAI() as server:
        _first_token_overhead(server, catalog)
        _prompt_sizes(server, catalog)


if __name__ == "__main__":
    main()
