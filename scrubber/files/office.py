"""Word processing documents: DOCX and ODT, rebuilt part by part.

Both are ZIP archives of XML parts. Each part is matched against an
allow-list: parts we know how to clean are kept and cleaned (body, styles,
headers and footers, images), parts that are only metadata are dropped
(document properties, thumbnails, comments, printer settings, signatures,
custom XML, editor settings), and anything else (embedded objects, macros,
ActiveX, vector images, parts we do not know) makes the document refused
rather than guessed at. In the kept XML, tracked changes are accepted
(deleted text is gone, inserted text stays), comments are cut out, and the
edit-session identifiers that link copies of a document to one machine
(Word's rsids and paragraph ids, LibreOffice's rsids) are removed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any, ClassVar

from lxml import etree

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files.archive import ArchiveLimits, read_members, write_members
from scrubber.files.base import CleanedFile
from scrubber.files.images import ImageCleaner
from scrubber.files.sniff import DOCX, ODT, sniff

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OFFICEOOO = "http://openoffice.org/2009/office"

# No DTDs, no entities, no network: a document is data, never instructions.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)

# (pattern, kind): parts dropped whole, and what the report calls them.
_DOCX_DROPPED = [
    (r"docProps/thumbnail\.\w+", "thumbnail"), (r"docProps/.+", "document_properties"),
    (r"customXml/.+", "custom_xml"), (r"word/comments\w*\.xml", "comments"),
    (r"word/_rels/comments\w*\.xml\.rels", "comments"), (r"word/people\.xml", "comments"),
    (r"word/printerSettings/.+", "printer_settings"), (r"_xmlsignatures/.+", "signatures"),
    (r"word/glossary/.+", "templates"),
]
_DOCX_KEPT = [
    r"\[Content_Types\]\.xml", r"_rels/\.rels", r"word/_rels/[\w.]+\.xml\.rels",
    r"word/(document|styles|stylesWithEffects|settings|fontTable|webSettings|numbering|footnotes|endnotes"
    r"|header\d+|footer\d+)\.xml",
    r"word/theme/theme\d+\.xml", r"word/media/[\w.-]+", r"word/fonts/[\w.-]+\.odttf",
]
_ODT_DROPPED = [
    (r"settings\.xml", "editor_settings"), (r"Thumbnails/.+", "thumbnail"),
    (r"Configurations2/.*", "editor_settings"), (r"layout-cache", "editor_settings"),
    (r"META-INF/\w*signatures\.xml", "signatures"), (r"manifest\.rdf", "document_properties"),
]
_ODT_KEPT = [r"mimetype", r"content\.xml", r"styles\.xml", r"meta\.xml", r"META-INF/manifest\.xml",
             r"Pictures/[\w.-]+"]
# Images inside documents are cleaned only where the cleaned file keeps its type.
_INNER_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}

# WordprocessingML: elements removed whole, and wrappers replaced by their children.
_W_REMOVED = {"del": "revisions", "moveFrom": "revisions", "rPrChange": "revisions",
              "pPrChange": "revisions", "sectPrChange": "revisions", "tblPrChange": "revisions",
              "trPrChange": "revisions", "tcPrChange": "revisions", "tblGridChange": "revisions",
              "numberingChange": "revisions", "moveFromRangeStart": "revisions",
              "moveFromRangeEnd": "revisions", "moveToRangeStart": "revisions", "moveToRangeEnd": "revisions",
              "commentRangeStart": "comments", "commentRangeEnd": "comments", "commentReference": "comments",
              "rsids": "edit_session_ids", "attachedTemplate": "template_path", "docVars": "custom_xml",
              "mailMerge": "template_path", "trackRevisions": "revisions"}
_W_UNWRAPPED = {"ins", "moveTo"}
_W_ATTRIBUTES = {f"{{{W}}}author": "revisions", f"{{{W}}}date": "revisions", f"{{{W}}}initials": "comments",
                 f"{{{W14}}}paraId": "edit_session_ids", f"{{{W14}}}textId": "edit_session_ids"}
# ODF: annotations, tracked changes and fields that print the author, the
# sender's address book entry, or the document's dates.
_ODF_REMOVED = {
    f"{{{OFFICE}}}annotation": "comments", f"{{{OFFICE}}}annotation-end": "comments",
    f"{{{TEXT}}}tracked-changes": "revisions", f"{{{TEXT}}}change": "revisions",
    f"{{{TEXT}}}change-start": "revisions", f"{{{TEXT}}}change-end": "revisions",
    f"{{{_DC}}}creator": "author", f"{{{_DC}}}date": "dates",
    **{f"{{{TEXT}}}{name}": "author_fields" for name in (
        "author-name", "author-initials", "creator", "initial-creator", "printed-by", "creation-date",
        "creation-time", "modification-date", "modification-time", "print-date", "print-time",
        "editing-cycles", "editing-duration", "user-defined", "sender-firstname", "sender-lastname",
        "sender-initials", "sender-title", "sender-position", "sender-email", "sender-phone-private",
        "sender-fax", "sender-company", "sender-phone-work", "sender-street", "sender-city",
        "sender-postal-code", "sender-country", "sender-state-or-province")},
}
_EMPTY_META = (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office="' + OFFICE.encode()
               + b'" office:version="1.2"><office:meta/></office:document-meta>')


class OfficeCleaner:
    """DOCX and ODT documents (see the module docstring)."""

    mime_types: ClassVar[tuple[str, ...]] = (DOCX, ODT)

    def __init__(self, *, images: ImageCleaner | None = None, limits: ArchiveLimits | None = None) -> None:
        self.images = images or ImageCleaner()
        self.limits = limits or ArchiveLimits()

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]:
        """What the document carries that would be removed, by kind."""
        removed = self.clean(data, mime_type).removed
        return {"format": mime_type, "metadata": {kind: True for kind in removed}}

    def clean(self, data: bytes, mime_type: str) -> CleanedFile:
        """Guarantee: every part of the result is on the allow-list and was
        cleaned; no document properties, comments, revisions, thumbnails or
        edit-session ids remain; otherwise the document is refused."""
        members = read_members(data, self.limits)
        removed: set[str] = set()
        if mime_type == DOCX:
            kept = self._docx(members, removed)
            out = write_members(kept)
        else:
            kept = self._odt(members, removed)
            out = write_members(kept, stored_first="mimetype")
        return CleanedFile(mime_type, out, tuple(sorted(removed)))

    def _docx(self, members: dict[str, bytes], removed: set[str]) -> dict[str, bytes]:
        kept_names = _partition(members, _DOCX_KEPT, _DOCX_DROPPED, removed)
        kept: dict[str, bytes] = {}
        for name in kept_names:
            content = members[name]
            if name.endswith(".rels"):
                content = _xml(content, lambda root: _clean_relationships(root, name, kept_names, removed))
            elif name == "[Content_Types].xml":
                content = _xml(content, lambda root: _clean_content_types(root, kept_names))
            elif name.startswith("word/media/"):
                content = self._image(content, removed)
            elif name.endswith(".xml"):
                content = _xml(content, lambda root: _clean_wordml(root, removed))
            kept[name] = content
        return kept

    def _odt(self, members: dict[str, bytes], removed: set[str]) -> dict[str, bytes]:
        if next(iter(members), None) != "mimetype":
            raise MalformedFileError("ODF document does not start with its mimetype")
        kept_names = _partition(members, _ODT_KEPT, _ODT_DROPPED, removed)
        kept: dict[str, bytes] = {}
        for name in kept_names:
            content = members[name]
            if name == "meta.xml":
                removed.add("document_properties")
                content = _EMPTY_META
            elif name == "META-INF/manifest.xml":
                content = _xml(content, lambda root: _clean_manifest(root, kept_names))
            elif name.startswith("Pictures/"):
                content = self._image(content, removed)
            elif name.endswith(".xml"):
                content = _xml(content, lambda root: _clean_odf(root, removed))
            kept[name] = content
        return kept

    def _image(self, content: bytes, removed: set[str]) -> bytes:
        mime = sniff(content)
        if mime not in _INNER_IMAGES:
            raise UnsupportedFileError("document contains an image or object we cannot clean "
                                       "(vector images, embedded objects); save it as PDF and send that")
        cleaned = self.images.clean(content, mime)
        if cleaned.removed:
            removed.add("image_metadata")
        return cleaned.data


def _partition(members: dict[str, bytes], kept: list[str], dropped: list[tuple[str, str]],
               removed: set[str]) -> list[str]:
    """The names to keep; dropped ones recorded by kind; anything else refused."""
    names = []
    for name in members:
        kind = next((k for pattern, k in dropped if re.fullmatch(pattern, name)), None)
        if kind is not None:
            removed.add(kind)
        elif any(re.fullmatch(pattern, name) for pattern in kept):
            names.append(name)
        else:
            raise UnsupportedFileError("document contains parts we cannot clean (embedded objects, macros "
                                       "or scripts); save it as PDF and send that")
    return names


def _xml(content: bytes, clean: Callable[[Any], None]) -> bytes:
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedFileError("document part is not well-formed XML") from exc
    clean(root)
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return result


def _clean_relationships(root: Any, rels_name: str, kept: list[str], removed: set[str]) -> None:
    source_dir = posixpath.dirname(posixpath.dirname(rels_name))  # word/_rels/x.rels -> word
    for rel in list(root.iter(f"{{{_REL}}}Relationship")):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            # Hyperlinks are the author's content; any other external target
            # (template path, linked image, OLE link) names a place on the
            # author's machine or calls out when the document is opened.
            if not rel.get("Type", "").endswith("/hyperlink"):
                _remove(rel)
                removed.add("external_links")
            continue
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                      else posixpath.join(source_dir, target))
        if resolved not in kept:
            _remove(rel)


def _clean_content_types(root: Any, kept: list[str]) -> None:
    for override in list(root.iter(f"{{{_CT}}}Override")):
        if override.get("PartName", "").lstrip("/") not in kept:
            _remove(override)


def _clean_wordml(root: Any, removed: set[str]) -> None:
    for element in list(root.iter(f"{{{W}}}*", f"{{{W15}}}docId", f"{{{W14}}}docId")):
        local = etree.QName(element).localname
        if element.tag in (f"{{{W15}}}docId", f"{{{W14}}}docId"):
            _remove(element)
            removed.add("edit_session_ids")
        elif local in _W_REMOVED:
            _remove(element)
            removed.add(_W_REMOVED[local])
        elif local in _W_UNWRAPPED:
            _unwrap(element)
            removed.add("revisions")
    for element in root.iter():
        for attribute in list(element.attrib):
            kind = _W_ATTRIBUTES.get(attribute)
            if kind is None and attribute.startswith(f"{{{W}}}rsid"):
                kind = "edit_session_ids"
            if kind is not None:
                del element.attrib[attribute]
                removed.add(kind)


def _clean_odf(root: Any, removed: set[str]) -> None:
    for element in list(root.iter(*_ODF_REMOVED)):
        _remove(element)
        removed.add(_ODF_REMOVED[element.tag])
    for element in root.iter():
        for attribute in list(element.attrib):
            if attribute.startswith(f"{{{_OFFICEOOO}}}") and "rsid" in attribute:
                del element.attrib[attribute]
                removed.add("edit_session_ids")


def _clean_manifest(root: Any, kept: list[str]) -> None:
    if next(root.iter(f"{{{_MANIFEST}}}encryption-data"), None) is not None:
        raise UnsupportedFileError("document is encrypted; send it without a password")
    for entry in list(root.iter(f"{{{_MANIFEST}}}file-entry")):
        path = entry.get(f"{{{_MANIFEST}}}full-path", "")
        if path == "/":  # the document itself
            continue
        if path.endswith("/"):
            if not any(name.startswith(path) for name in kept):
                _remove(entry)
        elif path not in kept:
            _remove(entry)


def _remove(element: Any) -> None:
    """Take an element out, keeping the text that followed it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _unwrap(element: Any) -> None:
    """Replace an element by its children (an accepted insertion)."""
    parent = element.getparent()
    if parent is None:
        return
    position = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(position + offset, child)
    _remove(element)
