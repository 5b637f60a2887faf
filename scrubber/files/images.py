"""Images: decoded to pixels and re-encoded into a fresh file.

Re-encoding from bare pixels (rather than deleting known tags) is what makes
the guarantee hold for metadata we have never heard of: the new file is built
from the pixel array and nothing else.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import pillow_heif
from PIL import Image, ImageOps

from relay.errors import MalformedFileError
from scrubber.files.base import CleanedFile

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF",
            "image/heic": "HEIF", "image/tiff": "TIFF"}
# What each input becomes. HEIC is the phones' default but few of the NGOs'
# tools open it, and TIFF may be multi-page, tiled, CMYK or carry private
# tags: both leave as a plain, widely readable re-encoding of their pixels.
_OUTPUT = {"image/heic": "image/jpeg", "image/tiff": "image/png"}
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112


class ImageCleaner:
    """JPEG, PNG, WebP, GIF (first frame), HEIC/HEIF (primary image) and TIFF
    (first page). Bounded by a pixel limit checked from the header before any
    pixel is decoded (decompression bombs)."""

    mime_types: ClassVar[tuple[str, ...]] = tuple(_FORMATS)

    def __init__(self, *, max_pixels: int = 40_000_000, max_side: int | None = 2048) -> None:
        self.max_pixels = max_pixels
        self.max_side = max_side
        # pillow-heif adds a decoder to Pillow's registry; only what _open
        # names in ``formats`` is ever tried, so this widens nothing else.
        pillow_heif.register_heif_opener()

    def _open(self, data: bytes, mime_type: str) -> Image.Image:
        try:
            image = Image.open(io.BytesIO(data), formats=[_FORMATS[mime_type]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MalformedFileError(f"image has too many pixels (limit {self.max_pixels})") from None
        # Pillow signals a bad file with many exception types (OSError,
        # SyntaxError, ValueError, struct.error, DecompressionBombError, ...):
        # every one of them means "refuse this file", none may reach the server.
        except Exception as exc:
            raise MalformedFileError(f"{mime_type} file cannot be parsed") from exc
        width, height = image.size
        if width <= 0 or height <= 0 or width * height > self.max_pixels:
            image.close()
            raise MalformedFileError(f"image has too many pixels (limit {self.max_pixels})")
        return image

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]:
        """What identifying metadata the file carries, by kind."""
        with self._open(data, mime_type) as image:
            return {"format": mime_type, "size": image.size, "metadata": _found(image)}

    def clean(self, data: bytes, mime_type: str) -> CleanedFile:
        """Guarantee: the output holds only re-encoded pixels, upright, at most ``max_side``."""
        with self._open(data, mime_type) as image:
            try:
                removed = tuple(kind for kind, present in _found(image).items() if present)
                pixels = self._pixels(image, mime_type)
            except MalformedFileError:
                raise
            except Exception as exc:  # see _open: any decoder failure is a refusal
                raise MalformedFileError(f"{mime_type} file cannot be decoded") from exc
        output_type = _OUTPUT.get(mime_type, mime_type)
        out = io.BytesIO()
        pixels.save(out, format=_FORMATS[output_type], **_save_options(output_type))
        return CleanedFile(output_type, out.getvalue(), removed)

    def _pixels(self, image: Image.Image, mime_type: str) -> Image.Image:
        if image.format == "JPEG" and self.max_side is not None:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is
            # downscaled anyway: a 12 MP photo decodes about 3x faster.
            image.draft("RGB", _draft_size(image.size, self.max_side))
        image.load()
        orientation = image.getexif().get(_ORIENTATION, 1)
        # The orientation goes into the pixels, not a tag.
        upright = ImageOps.exif_transpose(image) if orientation in range(2, 9) else image
        if self.max_side is not None and max(upright.size) > self.max_side:
            upright = upright.copy() if upright is image else upright
            upright.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
        if _OUTPUT.get(mime_type, mime_type) == "image/jpeg":
            mode = "RGB"
        converted = upright if upright.mode == mode else upright.convert(mode)
        # A fresh image built from the pixel buffer alone: no info dict, no
        # EXIF, no ICC, no text chunks can follow it into the new file.
        return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _found(image: Image.Image) -> dict[str, bool]:
    exif = image.getexif()
    return {
        "exif": len(exif) > 0,
        "gps": len(exif.get_ifd(_GPS_IFD)) > 0,
        "xmp": any(k in image.info for k in ("xmp", "XML:com.adobe.xmp")) or 700 in exif,
        "iptc": "photoshop" in image.info or 33723 in exif or 34377 in exif,
        "icc_profile": "icc_profile" in image.info,
        "comment": "comment" in image.info,
        "text": bool(getattr(image, "text", None)),
    }


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The smallest DCT-scaled size whose longest side still nearly reaches
    ``max_side`` (within 10%: a 4000 px photo decodes at 2000, not 4000)."""
    width, height = size
    for factor in (8, 4, 2):
        if max(width, height) // factor >= max_side * 0.9:
            return width // factor, height // factor
    return width, height


def _save_options(mime_type: str) -> dict[str, Any]:
    if mime_type == "image/jpeg":
        return {"quality": 88}  # no "optimize": a second Huffman pass for ~3% of the bytes
    if mime_type == "image/webp":
        return {"quality": 85}
    return {"optimize": True}
