"""The deployment's Ed25519 signing key: created on first use, kept in a file outside the database.

Exports are signed with the private key; anyone holding the public key (PEM) can check a signature without
the database. The key file is written once, with mode 0600, and never replaced: several processes starting at
once all end up with the same key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import tempfile
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from drafter.errors import InputError

ALGORITHM = "Ed25519"


def _create(path: Path) -> None:
    """Write a new key to `path` unless one is there already (never overwrites, even in a race)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd, tmp = tempfile.mkstemp(prefix=".signing-", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process created the key first: keep theirs
            os.link(tmp, path)  # atomic, never overwrites
    finally:
        Path(tmp).unlink(missing_ok=True)


def load_private_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The private key in `path` (PEM, PKCS#8); with `create`, a new one is made there if none exists."""
    if create and not path.exists():
        try:
            _create(path)
        except OSError as exc:
            raise InputError(
                "Cannot create the signing key {path}: {reason}.",
                path=path, reason=exc.strerror or exc,
            ) from exc
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("No signing key at {path}.", path=path) from exc
    except OSError as exc:
        raise InputError(
            "Cannot read the signing key {path}: {reason}.",
            path=path, reason=exc.strerror or exc,
        ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError("The signing key {path} is not an unencrypted PEM private key.", path=path) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("The signing key {path} is not an Ed25519 key.", path=path)
    return key


# str(path) -> (what the file's stat said when it was read, the key read from it)
_LOADED: dict[str, tuple[tuple[int, ...], Ed25519PrivateKey]] = {}
_LOADED_LOCK = threading.Lock()


def file_stamp(path: Path) -> tuple[int, ...] | None:
    """What tells one version of a file from another: device, inode, size, modification and change times (None:
    no such file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def current_private_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """`load_private_key(path, create=create)`, parsed once per version of the file rather than at every use.

    Each call looks at the file (one stat, no read): a key replaced (rotated, by rename or rewritten in place),
    or whose permissions changed, is read again at once, and a missing or unreadable file gives
    `load_private_key`'s own error. The stat is taken before the read, so a key replaced between the two is read
    again at the next call.
    """
    stamp = file_stamp(path)
    name = str(path)
    known = _LOADED.get(name)
    if stamp is not None and known is not None and known[0] == stamp:
        return known[1]
    key = load_private_key(path, create=create)
    if stamp is not None:  # (a key just created is remembered from its next use)
        with _LOADED_LOCK:
            _LOADED[name] = (stamp, key)
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public half as PEM (SubjectPublicKeyInfo), to publish beside the documents."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (a private key file is accepted too: its public half is used)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            "Cannot read the public key {path}: {reason}.",
            path=path, reason=exc.strerror or exc,
        ) from exc
    return parse_public_key(data, str(path))


def parse_public_key(data: bytes, name: str = "the public key") -> Ed25519PublicKey:
    key: object
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise InputError("{name} is not a PEM public key.", name=name) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("{name} is not an Ed25519 key.", name=name)
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short fingerprint of the public key (SHA-256 of its raw bytes, 16 hex digits), to name it in reports."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    """The signature of `payload`, base64."""
    return base64.b64encode(key.sign(payload)).decode("ascii")


def verify(key: Ed25519PublicKey, payload: bytes, signature_b64: str) -> bool:
    """Whether `signature_b64` is `key`'s signature of `payload`."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, payload)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
