"""PDF specifics: text stays selectable, active content goes, what cannot be
cleaned is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files import clean_file
from tests.scrubber.files import samples
from tests.tools import run


def test_text_stays_selectable(tmp_path: Path) -> None:
    cleaned = clean_file(samples.pdf_document(tmp_path, "Reporte de prueba visible"))
    (tmp_path / "clean.pdf").write_bytes(cleaned.data)
    assert b"Reporte de prueba visible" in run("pdftotext", str(tmp_path / "clean.pdf"), "-")


def test_scripts_attachments_and_authors_are_gone(tmp_path: Path) -> None:
    cleaned = clean_file(samples.pdf_document(tmp_path))
    with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert "/OpenAction" not in pdf.Root and "/JavaScript" not in pdf.Root.get("/Names", {})
        assert len(pdf.attachments) == 0
        annot = pdf.pages[0].Annots[0]
        assert "/T" not in annot and "/M" not in annot and annot.Contents == "ver foto"
        assert len(pdf.pages[0].get_images()) == 1  # the photo is still there, without its metadata
    assert {"document_info", "xmp", "javascript", "embedded_files", "annotation_authors",
            "image_metadata", "previous_revisions"} <= set(cleaned.removed)


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(samples.pdf_document(tmp_path))) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secreto", owner="secreto"))
    with pytest.raises(UnsupportedFileError, match="password"):
        clean_file(out.getvalue())


def test_jpeg2000_images_are_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    image = pikepdf.Stream(pdf, b"\x00\x00\x00\x0cjP  \r\n\x87\n", Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Image, Width=1, Height=1, Filter=pikepdf.Name.JPXDecode)
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=image))
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(UnsupportedFileError, match="JPEG 2000"):
        clean_file(out.getvalue())


def test_deflate_bomb_in_a_content_stream_is_never_inflated(tmp_path: Path) -> None:
    import zlib

    compressor = zlib.compressobj(9)
    bomb = b"".join(compressor.compress(b"\x00" * (1 << 20)) for _ in range(512)) + compressor.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pikepdf.Stream(pdf, bomb, Filter=pikepdf.Name.FlateDecode)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    cleaned = clean_file(out.getvalue())  # 512 MiB once inflated: would take seconds and memory
    assert len(cleaned.data) < 2 * len(out.getvalue())


@pytest.mark.parametrize("cut", [10, 200, -40])
def test_truncated_pdf_is_refused_or_rebuilt_clean(cut: int, tmp_path: Path) -> None:
    data = samples.pdf_document(tmp_path)
    broken = data[:cut]
    try:
        cleaned = clean_file(broken)
    except MalformedFileError:
        return
    # qpdf recovers some damaged files; what it recovers must still be clean.
    assert samples.OWNER.encode() not in cleaned.data


def _object_stream_bomb(inflated_mib: int) -> bytes:
    """A 1 MB PDF whose only page sits in an object stream that inflates to
    ``inflated_mib`` MiB: qpdf must inflate it to read the page."""
    import struct
    import zlib

    header, page = b"3 0 ", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"
    compressor = zlib.compressobj(9)
    stream = compressor.compress(header + page) + b"".join(
        compressor.compress(b" " * (1 << 20)) for _ in range(inflated_mib)) + compressor.flush()
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = [out.tell()]
    out.write(b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
    offsets.append(out.tell())
    out.write(b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
    offsets.append(out.tell())
    out.write(b"4 0 obj << /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >> stream\n"
              % (len(header), len(stream)) + stream + b"\nendstream endobj\n")
    xref = out.tell()
    rows = [(0, 0, 65535), (1, offsets[0], 0), (1, offsets[1], 0), (2, 4, 0), (1, offsets[2], 0), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out.write(b"5 0 obj << /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >> stream\n" % len(table)
              + table + b"\nendstream endobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def test_object_stream_bomb_is_bounded_by_the_child_process() -> None:
    """In-process this took 10 s and 2 GiB; the limited child gives up, and
    the caller never holds the inflated stream. Measured in a fresh process by
    its VmHWM: ``ru_maxrss`` survives fork and exec, so it would report this
    test process's peak, which counts every test before this one."""
    import subprocess
    import sys

    bomb = _object_stream_bomb(1024)
    assert len(bomb) < 2 << 20
    script = (
        "import re, sys\n"
        "from relay.errors import MalformedFileError\n"
        "from scrubber.files import clean_file\n"
        "data = sys.stdin.buffer.read()\n"
        "try:\n"
        "    outcome = 'cleaned' if len(clean_file(data).data) < len(data) else 'grew'\n"
        "except MalformedFileError:\n"
        "    outcome = 'refused'\n"
        "status = open('/proc/self/status').read()\n"
        "print(outcome, re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], input=bomb, capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    outcome, peak_kib = done.stdout.decode().split()
    assert outcome in ("cleaned", "refused")
    assert int(peak_kib) < 512 * 1024  # the caller stays small: the bomb inflated in the child, if anywhere
