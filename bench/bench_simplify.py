"""Batch simplification throughput against a local OpenAI-compatible server with fixed latency.

The fake server answers every request after L seconds; with C sections in flight the ceiling is C / L
sections per second. Prints what the batch achieves for 200 sections, against that ceiling, and the CPU time
Drafter's process spent per section (on a loaded machine the wall-clock share depends on what the other
processes leave; the CPU per section does not).

The fake server runs in a child process, as a real model server runs apart from Drafter: its own CPU (JSON for
every streamed chunk, a thread per connection) would otherwise take Drafter's GIL and count as Drafter's CPU. The
same batch is then run once more with the server inside Drafter's process and printed on its own line, for
comparison with the earlier figures (measured that way).

One small simplification is run first, untimed, so that loading the client libraries (openai, langchain, the
guard's recognizers) once per process is not counted as batch throughput; the time it took is printed.
"""

from __future__ import annotations

import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.goals import figure  # noqa: E402
from drafter.models import LLMCall  # noqa: E402
from drafter.service import DrafterService  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from tests.fake_openai import FakeOpenAI, Reply, Request, text  # noqa: E402

SECTIONS = 200
LATENCY_S = 0.2
CONCURRENCY = 8
GOAL_SHARE = 0.90  # issue 17: at least 90 % of C / L


def _echo(req: Request) -> Reply:
    """Return the section's own text: every fact kept, so no retry is triggered."""
    task = req.messages[-1]["content"]
    m = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source', task, re.S)
    return text(m.group(1) if m else "Text.", first_token_delay_s=LATENCY_S)


Server = tuple[str, Callable[[], int]]  # its base URL; the TCP connections it has accepted so far


def _serve(conn: Connection) -> None:
    """The child process: the fake server, until the parent says stop (answering how many connections it took)."""
    with FakeOpenAI() as server:
        server.fallback = _echo
        conn.send(server.base_url)
        while conn.recv() == "connections":
            conn.send(server.connections)


@contextmanager
def _server_in_child() -> Iterator[Server]:
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
    process.start()

    def connections() -> int:
        parent.send("connections")
        return int(parent.recv())

    try:
        yield str(parent.recv()), connections
    finally:
        parent.send("stop")
        process.join(timeout=10)


@contextmanager
def _server_in_process() -> Iterator[Server]:
    with FakeOpenAI() as server:
        server.fallback = _echo
        yield server.base_url, lambda: server.connections


@dataclass(frozen=True)
class Run:
    sections: int
    seconds: float
    cpu: float  # seconds of this process's CPU
    warm: float  # the untimed warm-up's seconds
    connections: int  # TCP connections the batch opened
    call_ms: float  # median duration of a call, as the call log records it
    tail_s: float  # from the end of the last call to the batch's return
    gap_ms: float  # mean time a place at the server stood empty between one call's end and the next call's start


def _run(server: AbstractContextManager[Server]) -> Run:
    """The batch against `server`, measured."""
    document = "\n\n".join(
        f"§ {i}.1 Rule {i}.\nThe applicant must pay £{i * 10} within {i % 28 + 1} days of the notice dated "
        f"1 March 2026." for i in range(1, SECTIONS + 1)
    )
    with server as (base_url, connections), tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), backend="openai", openai_base_url=base_url,
                            openai_api_key="sk-bench", model="fake", max_retries=0, timeout_s=30)
        service = DrafterService.from_settings(settings)
        warm = time.perf_counter()
        service.simplify("§ 1 Rule.\nThe applicant must pay £5.", title="Warm-up", audience="plain", user="bench")
        warm = time.perf_counter() - warm
        before = connections()
        cpu, start = time.process_time(), time.perf_counter()
        draft = service.simplify(document, title="Bench", audience="plain", user="bench", concurrency=CONCURRENCY)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        returned = datetime.now(UTC)
        opened = connections() - before
        calls = service.llm_calls(draft.id)
        last = max(c.datetime_utc for c in calls)  # each row is stamped as its call ends
        last_end = last if last.tzinfo else last.replace(tzinfo=UTC)
        service.store.engine.dispose()
    return Run(len(draft.sections), elapsed, cpu, warm, opened, statistics.median(c.duration_ms for c in calls),
               max(0.0, (returned - last_end).total_seconds()), _gap_ms(calls))


def _gap_ms(calls: list[LLMCall]) -> float:
    """With C places, the k-th call to start took the place the (k-C)-th call to end gave up: the mean time from
    that end to that start (from the call log: each row is stamped at its call's end, with its duration)."""
    ends = sorted(c.datetime_utc.timestamp() for c in calls)
    starts = sorted(c.datetime_utc.timestamp() - c.duration_ms / 1000 for c in calls)
    gaps = [starts[k] - ends[k - CONCURRENCY] for k in range(CONCURRENCY, len(calls))]
    return 1000 * statistics.mean(gaps) if gaps else 0.0


def main() -> None:
    limit = CONCURRENCY / LATENCY_S
    for where, server in (("a child process", _server_in_child()), ("Drafter's own process", _server_in_process())):
        run = _run(server)
        n, elapsed, cpu = run.sections, run.seconds, run.cpu
        share = n / elapsed / limit
        print(f"simplify batch, fake server in {where}: {n} sections, latency L={LATENCY_S:g} s, "
              f"concurrency C={CONCURRENCY}: {n / elapsed:.1f} sections/s achieved vs limit C/L = {limit:.0f} "
              f"sections/s ({100 * share:.1f}%), {elapsed:.2f} s in all; {1000 * cpu / n:.1f} ms of CPU per "
              f"section (untimed warm-up first: {run.warm:.1f} s)", flush=True)
        print(f"  a call took {run.call_ms:.0f} ms (median, from the call log; the server waits {1000 * LATENCY_S:.0f} "
              f"ms); a place stood empty {run.gap_ms:.1f} ms on average between one call's end and the next call's "
              f"start; {run.connections} TCP connections opened; {run.tail_s:.2f} s from the last call's end to the "
              "batch's return (the final checks and save)", flush=True)
        if where == "a child process":
            figure("batch simplification vs C/L", f"{100 * share:.1f}% ({n / elapsed:.1f} of {limit:.0f} "
                   f"sections/s, {1000 * cpu / n:.0f} ms CPU per section; fake server in a child process)",
                   f">= {100 * GOAL_SHARE:.0f}%", share >= GOAL_SHARE)


if __name__ == "__main__":
    main()
