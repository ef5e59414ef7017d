"""20 simulated users draft / edit / submit / approve against PostgreSQL with the offline backend.

Prints operations per second, median and p95 latency per operation, and checks for lost updates and audit-chain
breaks. Uses DRAFTER_TEST_POSTGRES_URL, or starts a throwaway PostgreSQL with .ci/start-postgres.sh.

The headline is one app process serving every user from its threads (the figure earlier sessions measured).
A shared deployment runs several app processes against one database: the same users are then split over N
processes, each with its own DrafterService, and the lost-update and audit-chain checks cover every process's
work. BENCH_PROCESSES (default "1,2") lists the process counts to run, in order; BENCH_SECONDS (default 60) is
the headline run's length and BENCH_MULTI_SECONDS (default 30) each further run's; BENCH_USERS (default 20).

CPU is printed beside wall time: one app process is bound to one core by the GIL, so the one-process latency
follows the CPU a cycle spends in Python. Before the load, one user alone runs BENCH_SOLO_CYCLES (default 20)
cycles: the CPU (this thread's) and the SQL statements of each operation. Under load, each operation's CPU is
its own thread's CPU time.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.goals import figure
from drafter.errors import ConflictError, RefusedError
from drafter.models import Checklist, DraftRequest, SourceDoc
from drafter.service import DrafterService
from drafter.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GOAL_DRAFT_MEDIAN_MS, GOAL_DRAFT_P95_MS = 250.0, 500.0  # issue 17: a draft with 5 sections, 20 users
CHECKLIST = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)
REQUEST = DraftRequest(
    template_id="briefing",
    inputs={"subject": "Bench", "recipient": "Minister", "author_unit": "Unit", "date": "1 March 2026",
            "purpose": "Measure the service under load.", "key_points": "One.\nTwo.", "contact": "Desk"},
    sources=[SourceDoc(name="s.txt", text="The programme built 120 homes in 2025. It cost £3 million. " * 20)],
)


def _letters(n: int) -> str:
    out = ""
    while True:
        out = chr(97 + n % 26) + out
        n = n // 26 - 1
        if n < 0:
            return out


def _postgres() -> tuple[str, list[str], Path | None]:
    """The server's admin URL, the command that stops it and the folder it keeps its data in (none of either when
    the caller's server is used)."""
    url = os.environ.get("DRAFTER_TEST_POSTGRES_URL")
    if url:
        return url, [], None
    out = subprocess.run(
        ["bash", "-c", "source .ci/start-postgres.sh >/dev/null && echo $DRAFTER_TEST_POSTGRES_URL $PG_DIR $PG_BIN"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return out[0], [*run, f"{out[2]}/pg_ctl", "-D", f"{out[1]}/data", "-m", "immediate", "stop"], Path(out[1])


@dataclass
class Outcome:
    """What the users of one process did: latencies per operation, the edits to look for, conflicts."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # the thread's CPU per operation
    edits: list[tuple[str, int, str]] = field(default_factory=list)
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    elapsed: float = 0.0  # from the users' start until the last of them stopped
    process_cpu: list[float] = field(default_factory=list)  # each app process's CPU over that time

    def merge(self, other: Outcome) -> None:
        self.elapsed = max(self.elapsed, other.elapsed)
        self.process_cpu += other.process_cpu
        for op, values in other.latencies.items():
            self.latencies[op] += values
        for op, values in other.cpu.items():
            self.cpu[op] += values
        self.edits += other.edits
        for kind, n in other.conflicts.items():
            self.conflicts[kind] += n


def _warm_up(service: DrafterService) -> float:
    """One untimed cycle. A process's first draft imports the guard's recognisers (presidio, spaCy): seconds of
    CPU, once per process. Twenty users starting together would all wait for it; it is timed on its own, so the
    figures measure a running deployment (the browser bench times a server's first page)."""
    start = time.perf_counter()
    warm = service.create_draft(REQUEST, "warm-up")
    service.edit_section(warm.id, "summary", "Summary revised for the warm-up.", "warm-up")
    service.submit(warm.id, "warm-up")
    service.approve(warm.id, "warm-up-reviewer", CHECKLIST)
    return time.perf_counter() - start


def _solo(service: DrafterService, cycles: int) -> None:
    """One user alone: the median CPU (this thread's) and wall time of each operation, and its SQL statements."""
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    statements: dict[str, int] = defaultdict(int)
    current: list[str | None] = [None]

    def count(*_args: Any, **_kwargs: Any) -> None:
        if current[0] is not None and threading.current_thread() is threading.main_thread():
            statements[current[0]] += 1

    def op(name: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        current[0] = name
        start, used = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            cpu[name].append(time.thread_time() - used)
            wall[name].append(time.perf_counter() - start)
            current[0] = None

    sa.event.listen(service.store.engine, "before_cursor_execute", count)
    try:
        for n in range(cycles):
            draft = op("draft", service.create_draft, REQUEST, "solo")
            op("edit", service.edit_section, draft.id, "summary", f"Summary revised alone, pass {_letters(n)}.", "solo")
            op("submit", service.submit, draft.id, "solo")
            op("approve", service.approve, draft.id, "solo-reviewer", CHECKLIST)
    finally:
        sa.event.remove(service.store.engine, "before_cursor_execute", count)
    print(f"one user alone, {cycles} cycles (medians; statements per operation):")
    for name in ("draft", "edit", "submit", "approve"):
        c, w = statistics.median(cpu[name]) * 1000, statistics.median(wall[name]) * 1000
        print(f"  {name:8} CPU {c:6.2f} ms  wall {w:6.2f} ms  statements {statements[name] / cycles:4.1f}")
    cycle = sum(statistics.median(cpu[name]) for name in cpu) * 1000
    figure("one user on PostgreSQL: CPU per cycle (draft, edit, submit, approve)",
           f"{cycle:.1f} ms (" + ", ".join(f"{name} {statistics.median(cpu[name]) * 1000:.1f}" for name in cpu)
           + f"); statements {', '.join(f'{name} {statements[name] / cycles:.0f}' for name in cpu)}")


def _run_users(service: DrafterService, mine: list[int], users: int, seconds: float) -> Outcome:
    """Users `mine` (of `users` in all) loop draft -> edit -> submit -> approve, one thread each, for `seconds`."""
    out = Outcome()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def timed(op: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            used = time.thread_time() - cpu
            with lock:
                out.latencies[op].append(time.perf_counter() - start)
                out.cpu[op].append(used)

    def user(i: int) -> None:
        # letters, not digits, in names and edits: a digit in an edit would be an unsupported fact
        me, reviewer = f"user-{_letters(i)}", f"user-{_letters((i + 1) % users)}"
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            try:
                draft = timed("draft", service.create_draft, REQUEST, me)
                text = f"Summary revised by {me}, pass {_letters(n)}."
                edited = timed("edit", service.edit_section, draft.id, "summary", text, me)
                with lock:
                    out.edits.append((draft.id, edited.version, text))
                timed("submit", service.submit, draft.id, me)
                timed("approve", service.approve, draft.id, reviewer, CHECKLIST)
            except (ConflictError, RefusedError) as exc:
                with lock:
                    out.conflicts[type(exc).__name__] += 1

    threads = [threading.Thread(target=user, args=(i,)) for i in mine]
    started, cpu = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.elapsed = time.perf_counter() - started
    out.process_cpu.append(time.process_time() - cpu)
    return out


def _process(url: str, data_dir: str, mine: list[int], users: int, seconds: float, barrier: Any, results: Any) -> None:
    """One app process of a shared deployment: its own service and pool, its share of the users."""
    service = DrafterService.from_settings(Settings(data_dir=Path(data_dir), database_url=url))
    warm = _warm_up(service)
    barrier.wait(timeout=600)  # every process warm: the users of all of them start together
    out = _run_users(service, mine, users, seconds)
    service.store.engine.dispose()
    results.put((warm, {op: list(v) for op, v in out.latencies.items()}, out.edits, dict(out.conflicts),
                 out.elapsed, {op: list(v) for op, v in out.cpu.items()}, out.process_cpu))


def _run_processes(url: str, data_dir: str, users: int, seconds: float, processes: int) -> tuple[Outcome, list[float]]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    shares = [list(range(users))[k::processes] for k in range(processes)]
    procs = [ctx.Process(target=_process, args=(url, data_dir, share, users, seconds, barrier, results))
             for share in shares]
    for p in procs:
        p.start()
    total, warms = Outcome(), []
    for _ in procs:
        warm, latencies, edits, conflicts, elapsed, cpu, process_cpu = results.get(timeout=seconds + 900)
        warms.append(warm)
        total.merge(Outcome(defaultdict(list, latencies), defaultdict(list, cpu), edits, defaultdict(int, conflicts),
                            elapsed, process_cpu))
    for p in procs:
        p.join(timeout=60)
        if p.exitcode != 0:
            raise RuntimeError(f"bench process exited with {p.exitcode}")
    return total, warms


def _report(service: DrafterService, out: Outcome, users: int, processes: int, events_before: int) -> None:
    elapsed = out.elapsed
    lost = 0
    for draft_id, version, text in out.edits:
        rows = {v["version"]: v for v in service.versions(draft_id)}
        row = rows.get(version)
        if row is None or not any(s.text == text for s in row["sections"]):
            lost += 1
    count, problem = service.verify_audit()  # the whole chain: every process's events, and the checkpoints
    total = sum(len(v) for v in out.latencies.values())
    how = "one app process" if processes == 1 else f"{processes} app processes ({users // processes}-" \
        f"{-(-users // processes)} users each)"
    label = f"{users} users on PostgreSQL" + ("" if processes == 1 else f", {processes} app processes")
    print(f"{users} users in {how} for {elapsed:.0f} s against PostgreSQL, offline backend: {total} operations, "
          f"{total / elapsed:.1f} ops/s; each app process used "
          + ", ".join(f"{c / elapsed:.0%}" for c in out.process_cpu) + " of one core (CPU time / wall time)")
    for op in ("draft", "edit", "submit", "approve"):
        values = sorted(out.latencies[op])
        if values:
            p95 = values[int(0.95 * (len(values) - 1))]
            med = statistics.median(values) * 1000
            cpu = statistics.median(out.cpu[op]) * 1000 if out.cpu[op] else float("nan")
            print(f"  {op:8} n={len(values):5}  median {med:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
                  f"(CPU median {cpu:5.1f} ms)")
            if op == "draft":
                figure(f"{label}: draft with 5 sections",
                       f"median {med:.0f} ms, p95 {p95 * 1000:.0f} ms",
                       f"median <= {GOAL_DRAFT_MEDIAN_MS:.0f} ms, p95 <= {GOAL_DRAFT_P95_MS:.0f} ms",
                       med <= GOAL_DRAFT_MEDIAN_MS and p95 * 1000 <= GOAL_DRAFT_P95_MS)
            else:
                figure(f"{label}: {op}", f"median {med:.0f} ms, p95 {p95 * 1000:.0f} ms "
                       f"(x{med / GOAL_DRAFT_MEDIAN_MS:.2f} of the draft's median goal)")
    chain = problem or f"intact ({count} events, {count - events_before} in this run)"
    print(f"  lost updates: {lost} of {len(out.edits)} edits checked; audit chain: {chain}; "
          f"conflicts/refusals: {dict(out.conflicts) or 0}")
    figure(f"{label}: lost updates, audit chain", f"{lost} lost of {len(out.edits)}; chain {chain}",
           "0 lost, chain intact", lost == 0 and problem is None)


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    multi_seconds = float(os.environ.get("BENCH_MULTI_SECONDS", "30"))
    users = int(os.environ.get("BENCH_USERS", "20"))
    counts = [int(n) for n in os.environ.get("BENCH_PROCESSES", "1,2").split(",") if n.strip()]
    admin_url, stop, folder = _postgres()
    admin = sa.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        for processes in counts:
            name = f"drafter_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = admin_url.rsplit("/", 1)[0] + "/" + name
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    # this process's service: the warm-up (which also makes the deployment's signing key, shared by
                    # every process through the data folder), and the checks afterwards
                    service = DrafterService.from_settings(Settings(data_dir=Path(tmp), database_url=url))
                    warm = _warm_up(service)
                    if processes == counts[0]:
                        _solo(service, int(os.environ.get("BENCH_SOLO_CYCLES", "20")))
                    events_before = service.verify_audit()[0]
                    if processes == 1:
                        print(f"process start-up: the first draft, edit, submit and approve took {warm:.1f} s "
                              "(not counted below)")
                        out = _run_users(service, list(range(users)), users, seconds)
                    else:
                        out, warms = _run_processes(url, tmp, users, multi_seconds, processes)
                        print(f"{processes} app processes (spawned), each with its own service and pool; their "
                              f"first cycles took {', '.join(f'{w:.1f}' for w in warms)} s (not counted below)")
                    _report(service, out, users, processes, events_before)
                    service.store.engine.dispose()
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
        if stop:
            subprocess.run(stop, capture_output=True, check=False)
        if folder is not None:  # its throwaway cluster: some 400 MB left in /tmp by every `make bench` before
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
