"""What a file really is, from its bytes alone.

The declared content type and the file name come from the client, and our
clients may be adversaries: a PDF named ``photo.jpg`` must reach the PDF
cleaner, and a file we cannot name from its magic bytes is refused. Only
well-known signatures at offset 0 count (readers that skip leading junk
make polyglots possible; we do not follow them).
"""

from __future__ import annotations

import io
import zipfile
import zlib

# ISO-BMFF major/compatible brands (the 4 bytes after "ftyp").
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_QUICKTIME_BRANDS = {b"qt  "}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
               b"M4VH", b"M4VP", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"dash"}

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes say they are, or None when we do not recognise them."""
    head = data[:64]
    for check in (_image, _pdf, _isobmff, _audio, _zip):
        mime = check(head, data)
        if mime is not None:
            return mime
    return None


def _image(head: bytes, data: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return None


def _pdf(head: bytes, data: bytes) -> str | None:
    return "application/pdf" if head.startswith(b"%PDF-") else None


def _isobmff(head: bytes, data: bytes) -> str | None:
    if head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    brands = {head[8:12]} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    major = head[8:12]
    if major in _HEIF_BRANDS or (major in (b"mif1", b"msf1") and brands & _HEIF_BRANDS):
        return "image/heic"
    if major in _M4A_BRANDS:
        return "audio/mp4"
    if major in _QUICKTIME_BRANDS:
        return "video/quicktime"
    if major in _MP4_BRANDS:
        return "video/mp4"
    return None


def _audio(head: bytes, data: bytes) -> str | None:
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word, layer 00: raw AAC
            return "audio/aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame, layer I-III
            return "audio/mpeg"
    return None


def _zip(head: bytes, data: bytes) -> str | None:
    """ODT names itself in a first, stored ``mimetype`` entry; DOCX in its
    ``[Content_Types].xml``. Only the central directory and those two small
    entries are read (bounded), never the rest of the archive."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype" and _small(archive, "mimetype") == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and _DOCX_MAIN.encode() in _small(archive, "[Content_Types].xml"):
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error):
        return None
    return None


def _small(archive: zipfile.ZipFile, name: str, limit: int = 1 << 16) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)
