"""mat2's trio for every format on the allow-list, on real files written by
real tools: identifying metadata is there before (so the check can fail),
none of it survives cleaning (exiftool -a -G1 -ee and a byte search), and the
cleaned file is still the same kind of file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from scrubber.files import CLEANERS, clean_file, sniff
from tests.scrubber.files import samples
from tests.scrubber.files.leaks import leaks

SAMPLES: dict[str, Callable[[Path], bytes]] = {
    "jpeg": lambda tmp: samples.photo(tmp, "JPEG"),
    "png": lambda tmp: samples.photo(tmp, "PNG"),
    "webp": lambda tmp: samples.photo(tmp, "WEBP"),
    "tiff": lambda tmp: samples.photo(tmp, "TIFF"),
    "heic": lambda tmp: samples.photo(tmp, "HEIF"),
    "gif": lambda tmp: samples.photo(tmp, "GIF"),
    "pdf": samples.pdf_document,
    "mp3": lambda tmp: samples.audio(tmp, "mp3"),
    "m4a": lambda tmp: samples.audio(tmp, "m4a"),
    "ogg-vorbis": lambda tmp: samples.audio(tmp, "ogg"),
    "ogg-opus": lambda tmp: samples.audio(tmp, "opus"),
    "wav": lambda tmp: samples.audio(tmp, "wav"),
    "mp4": lambda tmp: samples.video(tmp, "mp4"),
    "mov": lambda tmp: samples.video(tmp, "mov"),
    "docx": lambda tmp: samples.docx_document(samples.photo(tmp, "JPEG")),
    "odt": lambda tmp: samples.odt_document(samples.photo(tmp, "JPEG")),
}
# What each input leaves as (HEIC and TIFF become widely readable formats).
OUTPUT_TYPE = {"heic": "image/jpeg", "tiff": "image/png"}
# GIF carries no EXIF: Pillow writes only a comment, and no tool we drive adds more.
NO_METADATA_TO_FIND = {"gif"}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("samples")
    return {name: make(tmp) for name, make in SAMPLES.items()}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_metadata_is_found_then_none_survives(name: str, made: dict[str, bytes], tmp_path: Path) -> None:
    data = made[name]
    mime = sniff(data)
    assert mime in CLEANERS, name
    if name not in NO_METADATA_TO_FIND:
        assert leaks(data, tmp_path), f"the {name} sample must carry identifying metadata"
        assert any(CLEANERS[mime].inspect(data, mime)["metadata"].values())
    cleaned = clean_file(data)
    assert leaks(cleaned.data, tmp_path) == []
    assert cleaned.content_type == OUTPUT_TYPE.get(name, mime) == sniff(cleaned.data)
    if name not in NO_METADATA_TO_FIND:
        assert cleaned.removed, "the report of what was removed names kinds"


@pytest.mark.parametrize("name", ["jpeg", "png", "webp", "tiff", "heic"])
def test_portraits_stay_portraits(name: str, made: dict[str, bytes]) -> None:
    with Image.open(io.BytesIO(made[name])) as original:
        # Stored landscape, tagged "rotate 90" (Pillow's TIFF reader and pillow-heif
        # apply the tag themselves when they open the file).
        assert original.size == ((300, 400) if name in ("tiff", "heic") else (400, 300))
    with Image.open(io.BytesIO(clean_file(made[name]).data)) as again:
        assert again.size == (300, 400)
        assert again.convert("RGB").getpixel((150, 10))[2] > 150  # the blue band is on top


@pytest.mark.parametrize("name", list(SAMPLES))
def test_cleaning_is_stable(name: str, made: dict[str, bytes]) -> None:
    """Cleaning a cleaned file keeps it clean and of the same type."""
    once = clean_file(made[name])
    twice = clean_file(once.data)
    assert twice.content_type == once.content_type
