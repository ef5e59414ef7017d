"""Simplification: a regulation's segments rewritten for an audience, one file or a batch of files."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from drafter.errors import DrafterError, InputError
from drafter.models import Draft, DraftRequest, DraftStatus, Section, SourceDoc, check_text
from drafter.prompts import build_simplify_prompt
from drafter.review import open_blocking
from drafter.service.base import SectionCallback, ServiceBase
from drafter.simplification import (
    TEMPLATES,
    FileResult,
    compare,
    fingerprint,
    guide_for,
    outcome_summary,
    whole_readability,
    write_markdown,
)
from drafter.simplify_rules import Segment, detect_language, segment
from drafter.sources import read_source
from drafter.store import SaveStep


class SimplificationUseCases(ServiceBase):
    def start_simplification(
        self, text: str, *, title: str, audience: str, user: str, backend: str | None = None,
        language: str | None = None, source_name: str = "original",
    ) -> Draft:
        """Save a simplification request as a draft (sections are added by `generate_simplified`).

        The guard decides once for the whole document, before any segment can be sent: a marking anywhere
        blocks every segment for a backend without clearance.
        """
        if not text.strip():
            raise InputError("The text to simplify is empty.")
        user = self._user(user)
        for value, what in ((title, "The title"), (source_name, "The source's name"), (text, "The text to simplify")):
            check_text(value, what)
        language = language or detect_language(text)
        guide_id = guide_for(audience, language)
        if not segment(text, language):
            raise InputError("No sections were found in the text to simplify.")
        request = DraftRequest(
            template_id=TEMPLATES[language], inputs={"title": title, "audience": audience},
            sources=[SourceDoc(name=source_name, text=text)], style_guide_id=guide_id, backend=backend,
        )
        template = self.catalog.template(request.template_id)
        chosen = self.backend(backend)
        guard_report = self._guard_request(template, request, chosen, user)
        draft = self._new_draft(template, guide_id, chosen, request, user, title=title, language=language)
        return self.store.create_draft(
            draft, actor=user, details={"template": template.id, "style_guide": guide_id, "audience": audience,
                                        "backend": chosen.name, "sources": [source_name],
                                        "guard": {"personal_data": guard_report.policy.personal_data,
                                                  "found": guard_report.counts()}},
        )

    def generate_simplified(
        self, draft_id: str, user: str, *, concurrency: int = 1, on_section: SectionCallback | None = None
    ) -> Draft:
        """Simplify each segment not yet done, up to `concurrency` at once; each is saved as it finishes.

        With a language model, a segment that misses its readability target or loses a fact is retried once
        with the problems fed back; if it still fails it is kept and flagged for the reviewer.
        """
        user = self._user(user)
        draft, template, guide, backend = self._begin_generation(draft_id, user)
        segments = segment(draft.request.sources[0].text, draft.language)
        order = {seg.id: i for i, seg in enumerate(segments)}
        done = {s.id for s in draft.sections}
        todo = [seg for seg in segments if seg.id not in done]
        retry_with_feedback = backend.capabilities.language_model

        audience = draft.request.inputs.get("audience", "plain")
        parents = {seg.id: parent_clause(segments, i) for i, seg in enumerate(segments)}

        def work(seg: object) -> Section:
            seg_id, heading, original = seg.id, seg.heading, seg.text  # type: ignore[attr-defined]
            spec = template.sections[0].model_copy(update={"id": seg_id, "heading": heading})
            prompt = build_simplify_prompt(template, guide, spec, original, audience=audience,
                                           parent=parents[seg_id])
            text = self.calls.call(backend, prompt, draft, user=user)
            result = compare(original, text, guide)
            attempts = 1
            if result.problems and retry_with_feedback:
                prompt = build_simplify_prompt(template, guide, spec, original, feedback=result.problems,
                                               audience=audience, parent=parents[seg_id])
                text = self.calls.call(backend, prompt, draft, user=user)
                result = compare(original, text, guide)
                attempts = 2
            section = self._ai_section(spec, text, backend, prompt, user)
            return section.model_copy(update={
                "original": original,
                "metrics": {**result.as_dict(), "blocking": result.blocking, "problems": result.problems,
                            "attempts": attempts},
            })

        count = len(done)
        steps: list[SaveStep] = []
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            futures = {pool.submit(work, seg): seg for seg in todo}
            unsaved = set(futures)
            try:
                for future in as_completed(futures):
                    if future not in unsaved:
                        continue  # saved with an earlier batch
                    # Every section finished by now is saved in this one commit: with several in flight, one
                    # commit per section would make saving, not the backend, the limit.
                    batch = [future, *(f for f in futures if f in unsaved and f is not future and f.done())]
                    saved: list[Section] = []
                    for f in batch:
                        unsaved.discard(f)
                        section = f.result()
                        sections = sorted([*draft.sections, section], key=lambda s: order.get(s.id, 0))
                        step = self._generated_step(draft, section, sections, user)
                        steps.append(step)
                        draft = step.draft.model_copy(update={"version": draft.version + 1})
                        saved.append(section)
                    draft = self._save_pending(draft, steps)
                    for section in saved:
                        count += 1
                        if on_section:
                            on_section(count, len(segments), section)
            except DrafterError as exc:
                for f in futures:
                    f.cancel()
                self._generation_failed(self._save_pending(draft, steps), user, exc, None)
                raise
        return self._generation_finished(draft, user)

    def simplification_outcome(self, draft: Draft) -> str:
        """One honest sentence on what the simplification changed (or that it changed nothing)."""
        return outcome_summary(draft)

    def simplify(
        self, text: str, *, title: str, audience: str, user: str, backend: str | None = None,
        concurrency: int = 1, on_section: SectionCallback | None = None,
    ) -> Draft:
        draft = self.start_simplification(text, title=title, audience=audience, user=user, backend=backend)
        return self.generate_simplified(draft.id, user, concurrency=concurrency, on_section=on_section)

    def simplify_files(
        self,
        files: list[Path],
        *,
        audience: str,
        output_dir: Path,
        user: str,
        backend: str | None = None,
        concurrency: int = 4,
        progress: Callable[[str], None] | None = None,
    ) -> list[FileResult]:
        """Simplify many files. Each becomes a draft awaiting review; a rerun resumes unfinished ones."""
        if not output_dir.exists():
            output_dir.mkdir(parents=True)
        state_path = output_dir / ".drafter-simplify.json"
        state: dict[str, str] = json.loads(state_path.read_text()) if state_path.exists() else {}
        backend_name = self.backend(backend).name
        results: list[FileResult] = []
        say = progress or (lambda msg: print(msg, file=sys.stderr))
        for i, path in enumerate(files, start=1):
            result = FileResult(file=str(path), draft_id=None)
            try:
                source = read_source(path, self.settings.max_source_bytes)
                key = fingerprint(source.text, audience, backend_name)
                draft_id = state.get(key)

                def tick(j: int, n: int, _: object, name: str = path.name, idx: int = i) -> None:
                    bar = "#" * int(20 * j / n)
                    say(f"[{idx}/{len(files)}] {name} [{bar:<20}] {j}/{n} sections")

                if draft_id is None:
                    draft = self.start_simplification(
                        source.text, title=path.stem, audience=audience, user=user, backend=backend,
                        source_name=path.name,
                    )
                    state[key] = draft.id
                    state_path.write_text(json.dumps(state, indent=1))
                    draft_id = draft.id
                draft = self.store.get_draft(draft_id)
                if draft.status in (DraftStatus.generating, DraftStatus.failed):
                    done = len(draft.sections)
                    if done:
                        say(f"[{i}/{len(files)}] {path.name}: resuming after {done} finished sections")
                    draft = self.generate_simplified(draft_id, user, concurrency=concurrency, on_section=tick)
                result.draft_id = draft.id
                result.sections = len(draft.sections)
                result.measure = (
                    "Flesch-Kincaid grade" if draft.language == "en" else "average sentence length (characters)"
                )
                result.grade_before = whole_readability(draft, "before")
                result.grade_after = whole_readability(draft, "after")
                result.blocking_findings = len(open_blocking(self._current_findings(draft)))
                result.status = draft.status.value
                result.outcome = outcome_summary(draft)
                out = output_dir / f"{path.stem}.{audience}.md"
                write_markdown(draft, out)
                result.output = str(out)
            except DrafterError as exc:
                result.error = str(exc)
                result.status = "error"
            results.append(result)
        (output_dir / "summary.json").write_text(
            json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return results


# A sub-paragraph's own marker: (a), (ii), (3), a), 3., （一）, 一、
_SUB_PARAGRAPH = re.compile(
    r"^\s*(?:\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,3})\s*\)|[a-z]\)|\d{1,3}[.)]\s|（[一二三四五六七八九十\d]+）|[一二三四五六七八九十]+、)",
    re.IGNORECASE,
)


def parent_clause(segments: list[Segment], index: int) -> str | None:
    """The clause a sub-paragraph segment continues ("You qualify if:"), to send with it; None if it stands alone.

    A segment of a document split into paragraphs (no numbered sections of its own) that starts with a
    sub-paragraph marker continues the nearest paragraph before it that does not: its lead-in line (the last
    ending in a colon or dash, else its last line) is the parent clause.
    """
    seg = segments[index]
    if not (seg.number.isdigit() and _SUB_PARAGRAPH.match(seg.text)):
        return None
    for prev in reversed(segments[:index]):
        if _SUB_PARAGRAPH.match(prev.text):
            continue
        lines = [line.strip() for line in prev.text.splitlines() if line.strip()] or [prev.heading]
        return next((line for line in reversed(lines) if line.endswith((":", "：", "—", "-", "–"))), lines[-1])
    return None
