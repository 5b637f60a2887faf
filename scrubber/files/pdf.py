"""PDF: metadata, scripts, attachments and authors out; text stays text.

mat2 rasterises PDFs by default, which is thorough but turns a document into
pictures (nothing to select, search or read aloud). We rewrite the object
graph instead (pikepdf/qpdf): the document information dictionary, every XMP
stream, JavaScript and launch actions, embedded files, annotation authors and
dates, page thumbnails and application data are removed; JPEG images inside
lose their metadata segments; JPEG 2000 images (which carry XML boxes we do
not rewrite) make the file refused. The file is written anew, so earlier
incremental revisions (where edited-out metadata survives) are gone, and its
``/ID`` is derived from the content instead of the clock.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from relay.errors import MalformedFileError, RelayError, UnsupportedFileError
from scrubber.files.base import CleanedFile
from scrubber.files.jpeg import strip_jpeg_metadata

# Keys that hold metadata or application data, wherever they appear.
_METADATA_KEYS = {"/Metadata": "xmp", "/PieceInfo": "application_data", "/LastModified": "dates",
                  "/Thumb": "thumbnails", "/SpiderInfo": "application_data"}
# Annotation keys naming who wrote it and when.
_ANNOT_KEYS = {"/T": "annotation_authors", "/M": "dates", "/CreationDate": "dates",
               "/NM": "annotation_authors"}
# Actions that run code, open other files or send data somewhere.
_DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/GoToR",
                      "/RichMediaExecute", "/Rendition", "/Sound", "/Movie", "/URI"}
# Annotations that are containers for other content.
_DROPPED_ANNOTS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
_NAME_TREES = {"/JavaScript": "javascript", "/EmbeddedFiles": "embedded_files",
               "/AlternatePresentations": "embedded_files"}


class PdfCleaner:
    """PDF documents, rewritten object by object (see the module docstring)."""

    mime_types: ClassVar[tuple[str, ...]] = ("application/pdf",)

    def __init__(self, *, max_pages: int = 2000, max_objects: int = 200_000) -> None:
        self.max_pages = max_pages
        self.max_objects = max_objects

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]:
        """What identifying or active content the file carries, by kind."""
        with self._open(data) as pdf:
            found = _scrub(pdf)
            pages = len(pdf.pages)
        return {"format": mime_type, "pages": pages, "metadata": {kind: True for kind in sorted(found)}}

    def clean(self, data: bytes, mime_type: str) -> CleanedFile:
        """Guarantee: the output is a fresh PDF with no document information,
        no XMP, no scripts or embedded files, no annotation authors, no
        earlier revisions and JPEG images without metadata segments."""
        with self._open(data) as pdf:
            removed = _scrub(pdf)
            out = io.BytesIO()
            try:
                # stream_decode_level none: streams are copied as they are and
                # never inflated here, so a deflate bomb stays compressed.
                pdf.save(out, deterministic_id=True, encryption=False, fix_metadata_version=False,
                         stream_decode_level=pikepdf.StreamDecodeLevel.none, recompress_flate=False)
            except Exception as exc:  # qpdf raises several types on a damaged file
                raise MalformedFileError("PDF file cannot be rewritten") from exc
        if data.count(b"startxref") > 1:
            removed.add("previous_revisions")
        return CleanedFile(mime_type, out.getvalue(), tuple(sorted(removed)))

    def _open(self, data: bytes) -> pikepdf.Pdf:
        try:
            pdf = pikepdf.open(io.BytesIO(data))
        except pikepdf.PasswordError:
            raise UnsupportedFileError("PDF is password-protected; send it without a password") from None
        except Exception as exc:  # pikepdf.PdfError and friends: a file we cannot parse
            raise MalformedFileError("PDF file cannot be parsed") from exc
        try:
            if len(pdf.pages) > self.max_pages:
                raise MalformedFileError(f"PDF has too many pages (limit {self.max_pages})")
            if len(pdf.objects) > self.max_objects:
                raise MalformedFileError(f"PDF has too many objects (limit {self.max_objects})")
        except RelayError:
            pdf.close()
            raise
        except Exception as exc:
            pdf.close()
            raise MalformedFileError("PDF file cannot be parsed") from exc
        return pdf


def _scrub(pdf: pikepdf.Pdf) -> set[str]:
    removed: set[str] = set()
    try:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
            removed.add("document_info")
        root = pdf.trailer.get("/Root")
        if not isinstance(root, Dictionary):
            raise MalformedFileError("PDF has no document catalog")
        _scrub_catalog(root, removed)
        for page in pdf.pages:
            _drop_container_annotations(page.obj, removed)
        for obj in pdf.objects:
            if isinstance(obj, Dictionary | Stream):
                _scrub_object(obj, removed)
    except RelayError:
        raise
    except Exception as exc:  # a broken object graph
        raise MalformedFileError("PDF file cannot be parsed") from exc
    return removed


def _scrub_catalog(root: Dictionary, removed: set[str]) -> None:
    for key, kind in (("/OpenAction", "actions"), ("/Perms", "application_data"),
                      ("/Legal", "application_data"), ("/URI", "actions")):
        if key in root:
            del root[key]
            removed.add(kind)
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        for key, kind in _NAME_TREES.items():
            if key in names:
                del names[key]
                removed.add(kind)
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary) and "/XFA" in form:
        del form["/XFA"]  # XML forms: a second copy of the form data, and scripts
        removed.add("xfa_forms")


def _drop_container_annotations(page: Dictionary, removed: set[str]) -> None:
    annots = page.get("/Annots")
    if not isinstance(annots, Array):
        return
    kept = [a for a in annots if not (isinstance(a, Dictionary) and str(a.get("/Subtype")) in _DROPPED_ANNOTS)]
    if len(kept) != len(annots):
        page["/Annots"] = Array(kept)
        removed.add("embedded_files")


def _scrub_object(obj: Dictionary | Stream, removed: set[str], depth: int = 0) -> None:
    """One object and the direct (not indirectly referenced) dictionaries in it:
    indirect ones are visited on their own as members of ``pdf.objects``."""
    if depth > 32:
        raise MalformedFileError("PDF objects are nested too deeply")
    for key, kind in _METADATA_KEYS.items():
        if key in obj:
            del obj[key]
            removed.add(kind)
    if obj.get("/Type") == "/Annot" or "/Subtype" in obj and "/Rect" in obj:
        for key, kind in _ANNOT_KEYS.items():
            if key in obj:
                del obj[key]
                removed.add(kind)
    _scrub_actions(obj, removed)
    if obj.get("/Type") == "/Filespec" and "/EF" in obj:
        del obj["/EF"]
        removed.add("embedded_files")
    if isinstance(obj, Stream) and obj.get("/Subtype") == "/Image":
        _scrub_image(obj, removed)
    for key in list(obj.keys()):
        value = obj.get(key)
        _scrub_direct(value, removed, depth + 1)


def _scrub_direct(value: Any, removed: set[str], depth: int) -> None:
    if isinstance(value, Dictionary) and not value.is_indirect:
        _scrub_object(value, removed, depth)
    elif isinstance(value, Array) and not value.is_indirect:
        for item in value:
            _scrub_direct(item, removed, depth + 1)


def _scrub_actions(obj: Dictionary | Stream, removed: set[str]) -> None:
    if "/AA" in obj:  # additional actions: triggered on open, close, focus, print...
        del obj["/AA"]
        removed.add("actions")
    if "/JS" in obj:
        del obj["/JS"]
        removed.add("javascript")
    for key in ("/A", "/Next"):
        action = obj.get(key)
        if isinstance(action, Dictionary | Array):
            actions = action if isinstance(action, Array) else [action]
            if any(isinstance(a, Dictionary) and str(a.get("/S")) in _DANGEROUS_ACTIONS for a in actions):
                del obj[key]
                removed.add("actions")


def _scrub_image(image: Stream, removed: set[str]) -> None:
    filters = image.get("/Filter")
    names = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
    if Name.JPXDecode in names:
        raise UnsupportedFileError("PDFs with JPEG 2000 images are not accepted")
    if names == [Name.DCTDecode]:
        stripped, changed = strip_jpeg_metadata(image.read_raw_bytes())
        if changed:
            image.write(stripped, filter=Name.DCTDecode)
            removed.add("image_metadata")
