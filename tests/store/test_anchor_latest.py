"""The latest checkpoint is found by one pass over the folder's names: the same one a sorted glob gives."""

from __future__ import annotations

import random
from pathlib import Path

from drafter.store import anchors


def _by_sorted_glob(folder: Path) -> str | None:
    """How the latest checkpoint was found before: every path built and sorted."""
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return files[-1].name if files else None


def test_the_highest_name_is_the_last_of_the_sorted_glob(tmp_path: Path) -> None:
    rng = random.Random(5)
    kinds = [
        lambda n: f"{n:012d}.json",  # checkpoints
        lambda n: f".checkpoint-{n}.tmp",  # a write in progress
        lambda n: f".{n:012d}.json",  # hidden
        lambda n: f"{n}.json",  # not zero-padded
        lambda n: f"{n:012d}.JSON",  # another case
        lambda n: f"{n:012d}.json.bak",
        lambda n: f"note-{n}.txt",
    ]
    for trial in range(40):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        for _ in range(rng.randint(0, 30)):
            name = rng.choice(kinds)(rng.randint(0, 10**6))
            if rng.random() < 0.1:
                (folder / name).mkdir(exist_ok=True)  # a folder with a checkpoint's name
            elif not (folder / name).exists():
                (folder / name).write_text("{}", encoding="utf-8")
        assert anchors._highest_name(folder) == _by_sorted_glob(folder), sorted(p.name for p in folder.iterdir())


def test_a_missing_folder_or_a_file_in_its_place_has_no_checkpoint(tmp_path: Path) -> None:
    assert anchors._highest_name(tmp_path / "missing") is None
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert anchors._highest_name(tmp_path / "file") is None
    assert anchors.latest(tmp_path / "missing", None) == (None, None)
