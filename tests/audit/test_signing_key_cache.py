"""The deployment key is parsed once per version of its file, and a rotated key is used at once.

Approval signs its audit record and a checkpoint with the key; it used to read and parse the key file twice per
approval. These tests try to make it sign with a key that is no longer the file's: replaced by rename, rewritten
in place (an Ed25519 PEM is always the same size), removed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from drafter import signing
from drafter.errors import InputError
from drafter.service import DrafterService
from drafter.store.anchors import RECORD_KEY, record_problem
from tests.audit.support import approved


def _pem(key: signing.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _approval_record(service: DrafterService, draft_id: str) -> object:
    return [e for e in service.audit_trail(draft_id) if e.action == "approved"][-1].details[RECORD_KEY]


def test_an_unchanged_key_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys" / "signing.pem"
    first = signing.current_private_key(path, create=True)
    parsed: list[Path] = []
    load = signing.load_private_key

    def counting(p: Path, *, create: bool = False) -> signing.Ed25519PrivateKey:
        parsed.append(p)
        return load(p, create=create)

    monkeypatch.setattr(signing, "load_private_key", counting)
    keys = [signing.current_private_key(path, create=True) for _ in range(5)]
    assert len(parsed) <= 1  # the key just created is remembered from its next use
    assert all(signing.key_id(k) == signing.key_id(first) for k in keys)
    signing.current_private_key(path)
    assert len(parsed) <= 1


@pytest.mark.parametrize("how", ["rename", "in place"])
def test_a_rotated_key_is_used_at_once(tmp_path: Path, how: str) -> None:
    path = tmp_path / "signing.pem"
    old = signing.current_private_key(path, create=True)
    assert signing.key_id(signing.current_private_key(path)) == signing.key_id(old)
    new = signing.Ed25519PrivateKey.generate()
    assert len(_pem(new)) == path.stat().st_size  # same size: only the content and times tell them apart
    if how == "rename":
        staged = tmp_path / "new.pem"
        staged.write_bytes(_pem(new))
        os.replace(staged, path)
    else:
        stat = path.stat()
        path.write_bytes(_pem(new))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    assert signing.key_id(signing.current_private_key(path)) == signing.key_id(new)


def test_a_removed_key_is_not_used_from_memory(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    signing.current_private_key(path, create=True)
    path.unlink()
    with pytest.raises(InputError, match="No signing key"):
        signing.current_private_key(path)


def test_an_approval_after_rotation_is_signed_with_the_new_key(service: DrafterService) -> None:
    first = approved(service)
    path = service.settings.signing_key_path()
    old = signing.load_private_key(path)
    assert record_problem(old.public_key(), _approval_record(service, first.id)) is None
    new = signing.Ed25519PrivateKey.generate()
    staged = path.with_name("rotated.pem")
    staged.write_bytes(_pem(new))
    os.replace(staged, path)
    second = approved(service)
    record = _approval_record(service, second.id)
    assert record_problem(new.public_key(), record) is None
    assert record_problem(old.public_key(), record) is not None
    assert record["key_id"] == signing.key_id(new)  # type: ignore[index]



def test_verify_and_the_published_key_follow_a_rotated_key(service: DrafterService, tmp_path: Path) -> None:
    """`verify` and the published public key take the deployment key as approvals do: once remembered, a
    rotated key is still used at once."""
    exported = service.export(approved(service).id, tmp_path / "signed.docx", "alice").path
    assert service.verify_file(exported).signature_valid  # the key is remembered now
    path = service.settings.signing_key_path()
    new = signing.Ed25519PrivateKey.generate()
    staged = path.with_name("rotated.pem")
    staged.write_bytes(_pem(new))
    os.replace(staged, path)
    assert service.public_key_pem() == signing.public_key_pem(new)
    assert not service.verify_file(exported).signature_valid  # signed with the key that was replaced
