"""Simplification: a regulation's segments rewritten for an audience, one file or a batch of files."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from pathlib import Path

from drafter.backends.base import Backend
from drafter.checks.readability import split_sentences_en
from drafter.checks.runner import support_index, support_texts
from drafter.checks.style_lint import lint_section
from drafter.errors import DrafterError, InputError, shown
from drafter.i18n import lazy
from drafter.labeling import origin_from_spans
from drafter.models import (
    Draft,
    DraftRequest,
    DraftStatus,
    Provenance,
    Section,
    SourceDoc,
    Span,
    SpanOrigin,
    StyleGuide,
    check_text,
    utcnow,
)
from drafter.prompts import build_simplify_prompt
from drafter.review import open_blocking
from drafter.service.base import SectionCallback, ServiceBase
from drafter.simplification import (
    GLOSSARY_HEADING,
    GLOSSARY_ID,
    TEMPLATES,
    Comparison,
    FileResult,
    WordDiff,
    compare,
    diff_words,
    fingerprint,
    glossary_entries,
    glossary_text,
    guide_for,
    outcome_summary,
    whole_readability,
    write_markdown,
)
from drafter.simplify_rules import Segment, detect_language, segment
from drafter.sources import read_source
from drafter.store import SaveStep, sections_unchanged


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
        for value, what in (
            (title, lazy("The title")), (source_name, lazy("The source's name")), (text, lazy("The text to simplify"))
        ):
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

        With a language model, a segment that misses its readability target or loses a fact is asked for again
        with the measured problems ("average sentence 31 words, target 15 or fewer"), up to
        `settings.simplify_retries` times; if it still misses, it is kept, its metrics say the target was not
        reached and after how many attempts, and a lost fact is a blocking finding for the reviewer.
        """
        user = self._user(user)
        draft, template, guide, backend = self._begin_generation(draft_id, user)
        segments = segment(draft.request.sources[0].text, draft.language)
        order = {seg.id: i for i, seg in enumerate(segments)}
        done = {s.id for s in draft.sections}
        todo = [seg for seg in segments if seg.id not in done]
        retry_with_feedback = backend.capabilities.language_model
        retries = self.settings.simplify_retries if retry_with_feedback else 0

        audience = draft.request.inputs.get("audience", "plain")
        slots = _Slots(concurrency)
        parents = {seg.id: parent_clause(segments, i) for i, seg in enumerate(segments)}

        def work(seg: Segment) -> Section:
            seg_id, heading, original = seg.id, seg.heading, seg.text
            spec = template.sections[0].model_copy(update={"id": seg_id, "heading": heading})
            prompt = build_simplify_prompt(template, guide, spec, original, audience=audience,
                                           parent=parents[seg_id])
            with slots.call():
                text = self.calls.call(backend, prompt, draft, user=user, gate=slots.sending)
            result = compare(original, text, guide)
            missed = readability_missed(result, guide, text) if retry_with_feedback else list(result.target_missed)
            attempts = 1
            while (result.problems or missed) and attempts <= retries:
                feedback = [*[p for p in result.problems if p not in result.target_missed], *missed]
                prompt = build_simplify_prompt(template, guide, spec, original, feedback=feedback,
                                               audience=audience, parent=parents[seg_id])
                with slots.call():
                    text = self.calls.call(backend, prompt, draft, user=user, gate=slots.sending)
                result = compare(original, text, guide)
                missed = readability_missed(result, guide, text)
                attempts += 1
            metrics = {**result.as_dict(), "blocking": result.blocking, "attempts": attempts,
                       "problems": [*[p for p in result.problems if p not in result.target_missed], *missed],
                       "target_missed": missed, "target_reached": not missed}
            if missed and retry_with_feedback:
                metrics["outcome"] = (f"Readability target not reached after {attempts} "
                                      f"attempt{'s' if attempts > 1 else ''}: " + "; ".join(missed) + ".")
            section = self._ai_section(spec, text, backend, prompt, user)
            section = section.model_copy(update={"original": original, "metrics": metrics})
            # linted here, as the section finishes, while calls are in flight: the checks of the whole draft at
            # the end find it remembered, instead of linting every section after the last call
            _quietly(lambda: lint_section(section, guide, draft.language, spelling=template.spelling))
            return section

        count = len(done)
        steps: list[SaveStep] = []
        # Call-log rows are written with the save of the sections they produced, in its one commit: one commit
        # per call, from every worker, would queue each call behind the others' writes (the profiler's finding).
        self.calls.hold(draft.id)
        # Each commit writes every section saved so far; within `sections_unchanged` each section's JSON is
        # computed once (the service never changes a Section in place), else saving grows with the square of
        # the number of sections.
        try:
            with sections_unchanged():
                support = tuple(support_texts(draft, template))
                draft = self._generate_segments(draft, todo, work, order, len(segments), steps, slots, count,
                                                user, on_section, warm=lambda: support_index(support))
                glossary = self._glossary_section(draft, guide, backend, user)
                if glossary is not None:
                    steps.append(self._generated_step(draft, glossary, [*draft.sections, glossary], user))
                    draft = steps[-1].draft.model_copy(update={"version": draft.version + 1})
                return self._generation_finished(draft, user, steps, self.calls.take_held(draft.id))
        finally:
            self.calls.release(draft.id)  # writes any row still held (an unexpected error)

    def _generate_segments(
        self, draft: Draft, todo: list[Segment], work: Callable[[Segment], Section], order: dict[str, int],
        total: int, steps: list[SaveStep], slots: _Slots, count: int, user: str,
        on_section: SectionCallback | None, warm: Callable[[], object] | None = None,
    ) -> Draft:
        """Run `work` on each segment, with up to `slots.size` calls in flight at once; every section finished is
        saved with the others finished by then, in one commit with their call-log rows. When one fails, nothing
        more is sent, the calls in flight end, every section finished is saved, and then the failure is raised.

        There are twice as many threads as slots: a section's prompt is built and its answer checked while
        another holds the slot, so the server is never left with a free place while there is work.

        `warm` (what the checks at the end will need, remembered) runs on a pool thread once the first calls are
        in flight, when the threads mostly wait for the server, not after the last call, when everything waits
        for it. What it raises is ignored: the checks compute it again, and report it.
        """
        unsaved: set[Future[Section]] = set()
        segment_of: dict[Future[Section], Segment] = {}

        def add_steps(finished: list[Future[Section]]) -> list[Section]:
            nonlocal draft
            ok = sorted((f for f in finished if not f.cancelled() and f.exception() is None),
                        key=lambda f: order[segment_of[f].id])
            for f in ok:
                unsaved.discard(f)
                section = f.result()
                sections = sorted([*draft.sections, section], key=lambda s: order.get(s.id, 0))
                # one stored version per commit (the last step's, holding every section saved with it): a full
                # copy of the document for each section would make saving quadratic in the number of sections
                step = self._generated_step(draft, section, sections, user)._replace(content_changed=f is ok[-1])
                steps.append(step)
                draft = step.draft.model_copy(update={"version": draft.version + 1})
            return [f.result() for f in ok]

        with ThreadPoolExecutor(max_workers=2 * slots.size) as pool:
            first = 2 * slots.size  # every thread's first segment: the pool takes tasks in the order given
            segment_of = {pool.submit(slots.stopping_on_failure(work), seg): seg for seg in todo[:first]}
            warming: list[Future[None]] = [pool.submit(_quietly, warm)] if warm is not None else []
            segment_of |= {pool.submit(slots.stopping_on_failure(work), seg): seg for seg in todo[first:]}
            unsaved = set(segment_of)
            try:
                for future in as_completed(segment_of):
                    if future not in unsaved:
                        continue  # saved with an earlier batch
                    # Every section finished by now is saved in this one commit: with several in flight, one
                    # commit per section would make saving, not the backend, the limit.
                    finished = [f for f in unsaved if f.done()]
                    saved = add_steps(finished)
                    draft = self._save_pending(draft, steps, self.calls.take_held(draft.id))
                    for section in saved:
                        count += 1
                        if on_section:
                            on_section(count, total, section)
                    # (a call not sent because of a failure is not the failure: that one is raised when it comes)
                    failed = next((f for f in finished if not f.cancelled() and f.exception() is not None
                                   and not isinstance(f.exception(), _Stopped)), None)
                    if failed is not None:
                        failed.result()  # raises what the section's work raised
            except BaseException as exc:
                slots.close()  # nothing more is sent
                for f in segment_of:
                    f.cancel()
                for w in warming:
                    w.cancel()
                pool.shutdown(wait=True)  # the calls in flight end, and are logged
                add_steps([f for f in unsaved if f.done()])  # what they finished is kept
                draft = self._save_pending(draft, steps, self.calls.take_held(draft.id))
                if isinstance(exc, DrafterError):
                    self._generation_failed(draft, user, exc, None)
                raise
        return draft

    def _glossary_section(self, draft: Draft, guide: StyleGuide, backend: Backend, user: str) -> Section | None:
        """For an audience whose guide has a glossary (children): the terms the text really uses, explained,
        as a last section written by rule (origin `assembled`). None when no term occurs or it exists."""
        if not guide.glossary or any(s.id == GLOSSARY_ID for s in draft.sections):
            return None
        done = [s for s in draft.sections if s.original is not None]
        entries = glossary_entries(guide, [s.text for s in done] + [s.original or "" for s in done])
        if not entries:
            return None
        text = glossary_text(entries, draft.language)
        spans = [Span(start=m.start(), end=m.end(), origin=SpanOrigin.assembled)
                 for m in re.finditer(r"[^\n]+", text)]
        return Section(
            id=GLOSSARY_ID, heading=GLOSSARY_HEADING.get(draft.language, GLOSSARY_HEADING["en"]), text=text,
            provenance=Provenance(origin=origin_from_spans(spans), backend=backend.name, model=backend.model,
                                  generated_at=utcnow(), author=user, ai_text=text, language_model=False),
            spans=spans,
        )

    @staticmethod
    def word_changes(original: str, simplified: str, language: str) -> WordDiff:
        """What a simplification changed, word by word, for the side-by-side view."""
        return diff_words(original, simplified, language)

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
                result.sections = sum(1 for s in draft.sections if s.original is not None)
                result.measure = (
                    lazy("Flesch-Kincaid grade") if draft.language == "en" else lazy("average sentence length (characters)")
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
                result.error = shown(exc)
                result.status = "error"
            results.append(result)
        (output_dir / "summary.json").write_text(
            json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return results


def _quietly(fn: Callable[[], object]) -> None:
    """Warm a memo: an error is not this section's (the checks that need the answer compute it again, and report
    the error there, after the sections are saved)."""
    with suppress(Exception):
        fn()


class _Stopped(Exception):
    """A call not sent because the batch stopped (another section failed)."""


# After giving up its place, a thread that others wait for steps aside this long before its checks (see `_Slots`)
_STEP_ASIDE_S = 0.001


class _Slots:
    """At most `size` backend calls in flight at once; after `close`, no call waiting for a place is sent.

    A place is held only while a request is at the backend (`sending`): the guard's check before it and the
    call-log row after it happen outside, so the server is not left with a free place meanwhile. When a request
    fails, its place is kept by the section's `call` until the call ends: a cut stream's retry is sent in it (as
    before, without waiting again), and a failure closes the slots before the place is given up, so whoever takes
    it next sends nothing.

    A thread that gives up a place others wait for sleeps `_STEP_ASIDE_S` before going on with its section's checks.
    The thread woken to take the place needs the interpreter (the GIL) to send its request; without the pause it
    waited for the giver's checks, up to the interpreter's switch interval (5 ms), with the server's place empty
    meanwhile: 3 ms on average between one call's end and the next call's start in the 200-section bench, 0.7 ms
    with it. The giver's own work is not waited for (its next request joins the queue for a place).
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._places = threading.BoundedSemaphore(self.size)
        self._closed = threading.Event()
        self._kept = threading.local()  # this thread's section keeps a place after a failed request
        self._count = threading.Lock()
        self._waiting = 0

    @contextmanager
    def call(self) -> Iterator[None]:
        """Around one section's call (guard, requests, retries, call log); _Stopped if the batch has stopped."""
        if self._closed.is_set():
            raise _Stopped  # before the guard prepares a request that would not be sent
        try:
            yield
        except BaseException:
            self.close()  # before a kept place is given up
            raise
        finally:
            if getattr(self._kept, "place", False):
                self._kept.place = False
                self._places.release()

    @contextmanager
    def sending(self) -> Iterator[None]:
        """Hold a place while one request is at the backend (waiting for one if all are taken)."""
        if getattr(self._kept, "place", False):
            yield  # the retry of a failed request, in the place its section kept
            return
        with self._count:
            self._waiting += 1
        try:
            self._places.acquire()
        finally:
            with self._count:
                self._waiting -= 1
        if self._closed.is_set():
            self._places.release()
            raise _Stopped
        try:
            yield
        except BaseException:
            self._kept.place = True  # given up when the section's `call` ends
            raise
        self._places.release()
        if self._waiting:
            time.sleep(_STEP_ASIDE_S)  # the interpreter to the thread taking the place: it sends now

    def close(self) -> None:
        self._closed.set()

    def stopping_on_failure(self, work: Callable[[Segment], Section]) -> Callable[[Segment], Section]:
        """`work` that closes the slots as soon as it fails, so no call still waiting for a place is sent."""
        def run(seg: Segment) -> Section:
            try:
                return work(seg)
            except BaseException:
                self.close()
                raise
        return run


def readability_missed(result: Comparison, guide: StyleGuide, text: str) -> list[str]:
    """The audience's readability targets a simplified text misses, measured, to feed back and to report.

    The comparison's own (reading grade, average sentence characters) plus the sentence-length target in words,
    with the longest sentence over it quoted so the model knows which to split.
    """
    missed = list(result.target_missed)
    limit, after = guide.readability.max_sentence_words, result.after
    avg = after.get("avg_sentence_words")
    if limit is not None and avg is not None and after.get("language") == "en":
        if avg > limit:
            missed.append(f"average sentence {avg:g} words, target {limit} or fewer")
        longest = max(split_sentences_en(text), key=_words, default="")
        if _words(longest) > limit:
            words = longest.split()
            quoted = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
            missed.append(f"longest sentence {_words(longest)} words, target {limit} or fewer: \"{quoted}\"")
    return missed


def _words(sentence: str) -> int:
    return len(_WORD.findall(sentence))


_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")


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
