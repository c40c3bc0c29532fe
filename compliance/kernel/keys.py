"""The key that seals the decision record, kept outside the database.

A hash chain alone proves nothing to someone who can rewrite the table: they recompute the
hashes. So two things come from one secret that the database never holds (`DECISION_KEY`, or
the file `DECISION_KEY_FILE`; in production a secret manager, KMS or HSM provides it):

- a MAC on every record (HMAC-SHA256 of its number and hash): a record written or rewritten
  without the key does not carry a valid one;
- an Ed25519 key that signs checkpoints of the chain (its length and head hash). Its public
  half is published, so anyone holding a copy of a checkpoint can check it, and a chain that
  no longer contains a checkpointed record is caught.

Both are derived with HKDF, each for its own purpose. Older public keys stay trusted for
verification while listed in `DECISION_TRUSTED_KEYS` (key rotation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


def _decode(text: str, source: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{source} must be base64 of {KEY_BYTES} random bytes") from None
    if len(secret) < KEY_BYTES:
        raise ImproperlyConfigured(f"{source} must hold at least {KEY_BYTES} bytes")
    return secret


@cache
def _master(key: str, key_file: str, create: bool) -> bytes:
    if key:
        return _decode(key, "DECISION_KEY")
    if not key_file:
        raise ImproperlyConfigured("Set DECISION_KEY or DECISION_KEY_FILE (README: Configuration)")
    path = Path(key_file)
    if not path.exists() and create:
        # A development machine gets its own key on first use; created exclusively so two
        # processes starting together end up with the same one.
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
    try:
        return _decode(path.read_text(), f"DECISION_KEY_FILE ({path})")
    except FileNotFoundError:
        raise ImproperlyConfigured(f"DECISION_KEY_FILE {path} does not exist") from None


def _derived(purpose: bytes) -> bytes:
    master = _master(
        settings.DECISION_KEY, settings.DECISION_KEY_FILE, settings.DECISION_KEY_FILE_CREATE
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def record_mac(*, seq: int, digest: str) -> str:
    """The seal of one record: only a holder of the key can make it."""
    key = _derived(b"compliance decision record mac v1")
    return hmac.new(key, f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def record_mac_maker() -> tuple[bytes, Callable[..., Any]]:
    """The MAC key and hash for sealing many records in a loop without re-deriving the key."""
    return _derived(b"compliance decision record mac v1"), hashlib.sha256


def _signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_derived(b"compliance checkpoint ed25519 v1"))


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_key() -> tuple[str, str]:
    """(key id, base64 of the raw Ed25519 public key) of the current signing key."""
    public = _signing_key().public_key()
    return key_id_of(public), base64.b64encode(_raw(public)).decode()


def checkpoint_message(*, seq: int, digest: str, created_at: str) -> bytes:
    return f"compliance-decision-checkpoint:v1:{seq}:{digest}:{created_at}".encode()


def checkpoint_sign(*, seq: int, digest: str, created_at: str) -> tuple[str, str]:
    """(key id, base64 signature) of a checkpoint."""
    key = _signing_key()
    signature = key.sign(checkpoint_message(seq=seq, digest=digest, created_at=created_at))
    return key_id_of(key.public_key()), base64.b64encode(signature).decode()


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The current public key and the older ones still trusted, by key id."""
    keys = [_signing_key().public_key()]
    for text in settings.DECISION_TRUSTED_KEYS:
        keys.append(Ed25519PublicKey.from_public_bytes(_decode(text, "DECISION_TRUSTED_KEYS")))
    return {key_id_of(k): k for k in keys}


def checkpoint_signature_valid(
    *, seq: int, digest: str, created_at: str, key_id: str, signature: str
) -> bool:
    public = trusted_public_keys().get(key_id)
    if public is None:
        return False
    try:
        public.verify(
            base64.b64decode(signature),
            checkpoint_message(seq=seq, digest=digest, created_at=created_at),
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
