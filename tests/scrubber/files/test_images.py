"""mat2's trio for images: metadata is found; the cleaned file, parsed again, is
clean; malformed input is refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files import clean_file, sniff
from scrubber.files.images import ImageCleaner

SERIAL = "SN-MARKER-8812345"
OWNER = "Maria Lopez Marker"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>XMPMARKER</rdf:Description></x:xmpmeta>'


def identifying_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "MarkerPhone"  # Make
    exif[0x0110] = "MarkerPhone 12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x0132] = "2026:11:20 21:47:13"  # DateTime
    exif[0x013B] = OWNER  # Artist
    exif[0xA431] = SERIAL  # BodySerialNumber (ends up in the Exif IFD)
    exif[0x8825] = {1: "N", 2: (25.0, 41.0, 11.9), 3: "W", 4: (100.0, 18.0, 58.0)}
    return exif


def photo(fmt: str = "JPEG", size: tuple[int, int] = (400, 300)) -> bytes:
    """A landscape-stored photo that is a portrait once its orientation tag is applied."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 4, size[1]))
    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options: dict[str, object] = {"exif": identifying_exif(), "icc_profile": icc}
    if fmt == "JPEG":
        options.update(comment=f"owner {OWNER}", xmp=XMP)
    if fmt in ("PNG", "WEBP"):
        options["xmp"] = XMP
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_metadata_is_found(fmt: str, mime: str) -> None:
    data = photo(fmt)
    assert SERIAL.encode() in data  # the fixture really carries it
    found = ImageCleaner().inspect(data, mime)["metadata"]
    assert found["exif"] and found["gps"] and found["icc_profile"]


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_cleaned_image_parsed_again_is_clean_and_upright(fmt: str, mime: str) -> None:
    data = photo(fmt)
    cleaned = clean_file(data)
    assert cleaned.content_type == mime and sniff(cleaned.data) == mime
    for marker in (SERIAL, OWNER, "MarkerPhone", "XMPMARKER", "2026:11:20"):
        assert marker.encode() not in cleaned.data, marker
    with Image.open(io.BytesIO(cleaned.data)) as again:
        assert len(again.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(again.info)
        if fmt != "GIF":  # GIF carries no EXIF orientation to apply
            assert again.size == (300, 400), "the portrait must stay a portrait"
            # The left-hand blue band is at the top after a 90° clockwise turn.
            assert again.convert("RGB").getpixel((150, 10))[2] > 150
    assert ImageCleaner().inspect(cleaned.data, mime)["metadata"] == dict.fromkeys(
        ("exif", "gps", "xmp", "iptc", "icc_profile", "comment", "text"), False)
    if fmt == "JPEG":
        assert "exif" in cleaned.removed and "gps" in cleaned.removed


def test_downscale_to_the_longest_side() -> None:
    cleaned = ImageCleaner(max_side=100).clean(photo(size=(800, 600)), "image/jpeg")
    with Image.open(io.BytesIO(cleaned.data)) as again:
        assert max(again.size) == 100


def test_truncated_file_is_refused() -> None:
    with pytest.raises(MalformedFileError):
        clean_file(photo()[:400])


def test_zero_bytes_and_unknown_types_are_refused() -> None:
    with pytest.raises(MalformedFileError):
        clean_file(b"")
    for data in (b"PK\x03\x04zipzip", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"\x00" * 64):
        with pytest.raises(UnsupportedFileError):
            clean_file(data)


def test_type_comes_from_the_bytes_and_polyglot_tail_is_dropped() -> None:
    payload = photo("PNG") + b"PK\x03\x04 hidden zip with " + SERIAL.encode()
    cleaned = clean_file(payload)
    assert cleaned.content_type == "image/png" and SERIAL.encode() not in cleaned.data


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_from_the_header() -> None:
    with pytest.raises(MalformedFileError, match="too many pixels"):
        ImageCleaner(max_pixels=10_000_000).clean(_png_header_only(50_000, 50_000), "image/png")
