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


def test_the_latest_checkpoint_is_the_highest_count_written_across_sub_folders_and_the_old_flat_layout(
    tmp_path: Path,
) -> None:
    from drafter.signing import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    rng = random.Random(11)
    for trial in range(12):
        folder = tmp_path / f"db{trial}"
        counts = sorted(rng.sample(range(1, 5 * anchors.SHARD), rng.randint(1, 25)))
        legacy = [c for c in counts if rng.random() < 0.3]  # written before sub-folders, at the top level
        for count in counts:
            cp = anchors.write(folder, key, count=count, head_hash=f"{count:064x}", database="db")
            if count in legacy:
                cp.path.replace(folder / cp.path.name)
        if rng.random() < 0.5:  # an empty sub-folder above the rest (a write that failed, or emptied by hand)
            (folder / f"{(max(counts) // anchors.SHARD) + 3:09d}").mkdir()
        while counts:
            found, problem = anchors.latest(folder, key.public_key())
            assert problem is None and found is not None and found.count == counts[-1]
            found.path.unlink()  # the newest removed: the one before it is the latest
            counts.pop()
        assert anchors.latest(folder, key.public_key()) == (None, None)


def test_checkpoints_go_in_sub_folders_of_a_bounded_size(tmp_path: Path) -> None:
    from drafter.signing import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    cp = anchors.write(tmp_path, key, count=anchors.SHARD * 7 + 5, head_hash="0" * 64, database="db")
    assert cp.path.parent.name == "000000007" and cp.path.name == f"{anchors.SHARD * 7 + 5:012d}.json"
