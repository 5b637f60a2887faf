"""DOCX and ODT specifics: the text the reader sees stays, history and
authors go, what cannot be cleaned is refused."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files import clean_file
from scrubber.files.sniff import DOCX, ODT
from tests.scrubber.files import samples
from tests.tools import require


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return samples.photo(tmp_path_factory.mktemp("photo"), "JPEG")


def _text(data: bytes, part: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part).decode()


def test_docx_accepts_revisions_and_drops_comments(jpeg: bytes) -> None:
    cleaned = clean_file(samples.docx_document(jpeg))
    body = _text(cleaned.data, "word/document.xml")
    assert "Texto visible del reporte" in body and "agregado" in body  # insertion accepted
    assert "borrado" not in body and "commentReference" not in body  # deletion and comment gone
    assert "rsid" not in body and "paraId" not in body
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        names = set(archive.namelist())
        assert not {n for n in names if n.startswith(("docProps/", "word/comments"))}
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    rels = _text(cleaned.data, "word/_rels/document.xml.rels")
    assert "comments.xml" not in rels and "https://example.org/noticia" in rels  # links are content
    assert "Plantillas" not in _text(cleaned.data, "word/_rels/settings.xml.rels")


def test_odt_accepts_changes_and_drops_annotations(jpeg: bytes) -> None:
    cleaned = clean_file(samples.odt_document(jpeg))
    content = _text(cleaned.data, "content.xml")
    assert "Texto visible del reporte" in content and "borrado" not in content
    assert "annotation" not in content and "rsid" not in content
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert "settings.xml" not in archive.namelist() and "Thumbnails/thumbnail.png" not in archive.namelist()
    assert "settings.xml" not in _text(cleaned.data, "META-INF/manifest.xml")


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_cleaned_document_still_opens_in_libreoffice(kind: str, jpeg: bytes, tmp_path: Path) -> None:
    make = samples.docx_document if kind == "docx" else samples.odt_document
    path = tmp_path / f"clean.{kind}"
    path.write_bytes(clean_file(make(jpeg)).data)
    subprocess.run([require("soffice"), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=120, check=True)
    assert "Texto visible del reporte" in (tmp_path / "clean.txt").read_text(encoding="utf-8-sig")


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("kind, part", [("docx", "word/embeddings/oleObject1.bin"),
                                        ("docx", "word/activeX/activeX1.xml"),
                                        ("odt", "Basic/Standard/Module1.xml"),
                                        ("odt", "Object 1/content.xml")])
def test_macros_and_embedded_objects_are_refused(kind: str, part: str, jpeg: bytes) -> None:
    document = samples.docx_document(jpeg) if kind == "docx" else samples.odt_document(jpeg)
    with pytest.raises(UnsupportedFileError, match="cannot clean"):
        clean_file(_with_member(document, part, b"<x/>"))


def test_vector_images_are_refused(jpeg: bytes) -> None:
    document = _with_member(samples.docx_document(jpeg), "word/media/image2.emf", b"\x01\x00\x00\x00 EMF")
    with pytest.raises(UnsupportedFileError, match="cannot clean"):
        clean_file(document)


def test_zip_bomb_is_refused_before_it_inflates(jpeg: bytes) -> None:
    bomb = _with_member(samples.docx_document(jpeg), "word/footer1.xml", b"<a>" + b" " * (300 << 20) + b"</a>")
    assert len(bomb) < 2 << 20
    with pytest.raises(MalformedFileError, match="too large|bomb"):
        clean_file(bomb)


def test_entry_that_lies_about_its_size_is_refused(jpeg: bytes) -> None:
    data = bytearray(samples.odt_document(jpeg))
    # Shrink content.xml's declared size in the central directory: it inflates past it.
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("content.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"content.xml") + 1)
    data[central + 24:central + 28] = (info.file_size // 2).to_bytes(4, "little")
    with pytest.raises(MalformedFileError):
        clean_file(bytes(data))


def test_encrypted_odt_is_refused(jpeg: bytes) -> None:
    document = samples.odt_document(jpeg)
    manifest = _text(document, "META-INF/manifest.xml").replace(
        'manifest:media-type="text/xml"/>',
        'manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum="x"/></manifest:file-entry>', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = manifest.encode() if info.filename == "META-INF/manifest.xml" else source.read(info.filename)
            target.writestr(info, body)
    with pytest.raises(UnsupportedFileError, match="encrypted"):
        clean_file(out.getvalue())


def test_sniffing_names_the_document_from_inside(jpeg: bytes) -> None:
    from scrubber.files import sniff

    assert sniff(samples.docx_document(jpeg)) == DOCX and sniff(samples.odt_document(jpeg)) == ODT
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("notes.txt", "hola")
    with pytest.raises(UnsupportedFileError):
        clean_file(plain_zip.getvalue())
