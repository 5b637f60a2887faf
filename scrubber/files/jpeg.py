"""JPEG bitstreams without their metadata segments, losslessly.

Used for JPEG images inside other containers (a PDF's DCTDecode streams),
where re-encoding would change colours the container describes elsewhere
(CMYK, Adobe transforms). Stand-alone photos are re-encoded from pixels by
``images.py`` instead, which is the stronger guarantee.
"""

from __future__ import annotations

from relay.errors import MalformedFileError

# Kept: what decoding needs. APP0 (JFIF: density only) and APP14 (Adobe:
# colour transform flags) carry nothing about a person; every other APPn
# (EXIF, XMP, ICC, IPTC, maker notes, FlashPix thumbnails) and COM goes.
_KEEP_APPS = {0xE0, 0xEE}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: no length field
_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE


def strip_jpeg_metadata(data: bytes) -> tuple[bytes, bool]:
    """The same image with only decoding segments kept, and whether anything was removed.

    Guarantee: every marker segment, including those between the scans of a
    progressive JPEG, is either a decoding table, the entropy-coded data, or
    dropped; bytes after EOI (appended files, polyglots) are dropped too.
    """
    if not data.startswith(b"\xff\xd8"):
        raise MalformedFileError("embedded JPEG image cannot be parsed")
    out = bytearray(b"\xff\xd8")
    removed = False
    pos = 2
    while pos < len(data):
        marker, pos = _next_marker(data, pos)
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out), removed or pos < len(data)
        if marker in _STANDALONE:
            out += bytes((0xFF, marker))
            continue
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2 or pos + length > len(data):
            raise MalformedFileError("embedded JPEG image is truncated")
        segment = data[pos - 2:pos + length]
        pos += length
        if marker == _COM or (0xE0 <= marker <= 0xEF and marker not in _KEEP_APPS):
            removed = True
            continue
        out += segment
        if marker == _SOS:
            end = _scan_end(data, pos)
            out += data[pos:end]
            pos = end
    raise MalformedFileError("embedded JPEG image is truncated")


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    if data[pos] != 0xFF:
        raise MalformedFileError("embedded JPEG image cannot be parsed")
    while pos < len(data) and data[pos] == 0xFF:  # fill bytes
        pos += 1
    if pos >= len(data):
        raise MalformedFileError("embedded JPEG image is truncated")
    return data[pos], pos + 1


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data after SOS stops: the first 0xFF that is
    neither a stuffed 0x00 nor a restart marker."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise MalformedFileError("embedded JPEG image is truncated")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos
