from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.public import PrivateKey, SealedBox

from keys.keyring import IngestKey, IngestKeyring, RelaySigner, canonical_json, signed_keyset, verify_keyset
from keys.secret import Secret
from relay.errors import DecryptionError, KeyExpiredError, UnknownKeyError

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def make_key(created: datetime, days: int = 30) -> IngestKey:
    return IngestKey.from_seed(bytes(PrivateKey.generate()), created=created, validity=timedelta(days=days))


def seal_to(key: IngestKey, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PrivateKey(key.private.reveal()).public_key).encrypt(plaintext))


def test_keyset_signature_verifies_with_a_plain_ed25519_verifier_and_fails_on_one_byte() -> None:
    signer = RelaySigner(Secret(bytes(PrivateKey.generate())))
    ring = IngestKeyring([make_key(T0)], grace=timedelta(days=2))
    document = json.loads(json.dumps(signed_keyset(ring, signer, T0 + timedelta(days=1))))
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["signing"]["public_key"]))
    message = json.dumps(document["ingest"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    signature = base64.b64decode(document["signature"])
    public.verify(signature, message)
    tampered = bytearray(message)
    tampered[10] ^= 1
    with pytest.raises(InvalidSignature):
        public.verify(signature, bytes(tampered))
    assert verify_keyset(document) == document["ingest"]
    document["ingest"][0]["public_key"] = base64.b64encode(b"\x00" * 32).decode()
    with pytest.raises(ValueError, match="does not verify"):
        verify_keyset(document)


def test_canonical_json_is_the_spec_form() -> None:
    assert canonical_json({"b": "ñ", "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":"ñ"}'.encode()


def test_rotated_key_opens_within_grace_and_is_refused_after_naming_the_current_key() -> None:
    old = make_key(T0, days=10)
    new = make_key(T0 + timedelta(days=10) - timedelta(hours=1), days=30)
    ring = IngestKeyring([old, new], grace=timedelta(hours=2))
    rotated_out = old.not_after
    sealed = seal_to(old, b"reporte")
    assert ring.current(rotated_out + timedelta(hours=1)).kid == new.kid
    assert ring.open(old.kid, sealed, rotated_out + timedelta(hours=1)) == b"reporte"
    with pytest.raises(KeyExpiredError) as refused:
        ring.open(old.kid, sealed, rotated_out + timedelta(hours=2, seconds=1))
    assert new.kid in refused.value.message
    assert [k["kid"] for k in ring.published(rotated_out + timedelta(hours=1))] == [new.kid]


def test_unknown_kid_and_wrong_box_are_distinct_errors() -> None:
    key = make_key(T0)
    ring = IngestKeyring([key], grace=timedelta(days=1))
    with pytest.raises(UnknownKeyError, match=key.kid):
        ring.open("nope", b"x", T0)
    with pytest.raises(DecryptionError):
        ring.open(key.kid, seal_to(make_key(T0), b"x"), T0)


def test_server_side_seal_opens_with_the_keyring() -> None:
    ring = IngestKeyring([make_key(T0)], grace=timedelta(days=1))
    kid, sealed = ring.seal(b"form post", T0)
    assert b"form post" not in sealed and ring.open(kid, sealed, T0) == b"form post"


def test_secret_never_prints() -> None:
    secret = Secret(b"super-secret-bytes")
    assert "super" not in repr(secret) and "super" not in f"{secret}"
    assert secret.reveal() == b"super-secret-bytes"
