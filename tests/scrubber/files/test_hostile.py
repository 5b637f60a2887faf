"""Hostile input: whatever the bytes, the answer is a cleaned file or a
refusal (a RelayError with a reason), never another exception, and never
the original bytes passed through."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from relay.errors import MalformedFileError, RelayError, UnsupportedFileError
from scrubber.files import clean_file, sniff
from tests.scrubber.files import samples

MAGICS = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"II*\x00", b"MM\x00*",
          b"%PDF-1.7\n", b"\x00\x00\x00\x18ftypheic", b"\x00\x00\x00\x18ftypisom", b"\x00\x00\x00\x18ftypM4A ",
          b"OggS", b"RIFF\x00\x00\x00\x00WAVE", b"ID3\x04\x00", b"\xff\xfb\x90", b"PK\x03\x04"]


def test_zero_bytes_is_refused() -> None:
    with pytest.raises(MalformedFileError, match="empty"):
        clean_file(b"")


@pytest.mark.parametrize("magic", MAGICS, ids=lambda m: m[:12].hex())
def test_a_magic_number_followed_by_junk_is_refused(magic: bytes) -> None:
    with pytest.raises(RelayError):
        clean_file(magic + random.Random(7).randbytes(3000))


@pytest.mark.parametrize("data", [b"MZ\x90\x00 windows exe", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                  b"<html><script>x</script></html>", b"\x00" * 64, b"7z\xbc\xaf\x27\x1c",
                                  b"\x1f\x8b\x08\x00 gzip"])
def test_types_off_the_allow_list_are_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedFileError, match="not accepted"):
        clean_file(data)


def test_type_confusion_follows_the_bytes(tmp_path: Path) -> None:
    """A PDF named like a photo is cleaned as a PDF, not passed on as a 'photo'."""
    pdf = samples.pdf_document(tmp_path)
    cleaned = clean_file(pdf)
    assert cleaned.content_type == "application/pdf" and samples.OWNER.encode() not in cleaned.data


def test_polyglot_tails_are_dropped(tmp_path: Path) -> None:
    hidden = io.BytesIO()
    with zipfile.ZipFile(hidden, "w") as archive:
        archive.writestr("secret.txt", f"{samples.OWNER} {samples.SERIAL}")
    for fmt in ("JPEG", "PNG"):
        polyglot = samples.photo(tmp_path, fmt) + hidden.getvalue()
        cleaned = clean_file(polyglot)
        assert b"secret.txt" not in cleaned.data and b"PK\x03\x04" not in cleaned.data


def test_mutated_files_are_cleaned_or_refused(tmp_path: Path) -> None:
    """A small fuzz: flip bytes in real samples of each family."""
    rng = random.Random(2026)
    jpeg = samples.photo(tmp_path, "JPEG")
    originals = [jpeg, samples.photo(tmp_path, "PNG"), samples.pdf_document(tmp_path),
                 samples.audio(tmp_path, "mp3"), samples.docx_document(jpeg)]
    outcomes = {"cleaned": 0, "refused": 0}
    for original in originals:
        for _ in range(12):
            mutated = bytearray(original)
            for _ in range(rng.randint(1, 20)):
                position = rng.randrange(16, len(mutated))
                mutated[position] = rng.randrange(256)
            try:
                cleaned = clean_file(bytes(mutated))
            except RelayError:
                outcomes["refused"] += 1
                continue
            outcomes["cleaned"] += 1
            assert cleaned.data != bytes(mutated) and sniff(cleaned.data) is not None
    assert outcomes["cleaned"] and outcomes["refused"]


def test_a_pixel_bomb_is_refused_from_its_header() -> None:
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG")  # 900 Mpx, 100 KB on the wire
    assert len(out.getvalue()) < 1 << 20
    with pytest.raises(MalformedFileError, match="too many pixels"):
        clean_file(out.getvalue())
