"""Real files with real identifying metadata, written at test time by the
tools that write them in the wild: Pillow and piexif (camera EXIF), exiftool
(XMP, IPTC, GPS, PDF and QuickTime tags), ffmpeg and mutagen (audio and video
tags, cover art, location atoms), pikepdf (PDF structure). Office documents are
assembled part by part as Word and LibreOffice write them.

Every sample carries the markers below; `leaks()` in `leaks.py` looks for them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import piexif
import pikepdf
from mutagen.id3 import COMM, ID3, TXXX
from mutagen.mp4 import MP4
from PIL import Image

from tests.tools import run

SERIAL = "SN88123457"
OWNER = "Maria Lopez Marker"
DEVICE = "MarkerPhone"
STAMP = "2026:11:20 21:47:13"
ISO_STAMP = "2026-11-20T21:47:13"
LAT, LON = 25.686614, -100.316113
MARKERS = (SERIAL, OWNER, DEVICE, "Maria Lopez", "2026:11:20", "2026-11-20", "25.6866", "100.3161")


def _dms(value: float) -> tuple[tuple[int, int], ...]:
    value = abs(value)
    degrees, minutes = int(value), int(value * 60 % 60)
    seconds = round((value * 3600) % 60 * 100)
    return ((degrees, 1), (minutes, 1), (seconds, 100))


def camera_exif(orientation: int = 6) -> bytes:
    """EXIF as a phone writes it: make, model, serial, owner, time, GPS, a thumbnail."""
    thumb = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(thumb, "JPEG")
    return bytes(piexif.dump({
        "0th": {piexif.ImageIFD.Make: DEVICE.encode(), piexif.ImageIFD.Model: f"{DEVICE} 12".encode(),
                piexif.ImageIFD.Orientation: orientation, piexif.ImageIFD.DateTime: STAMP.encode(),
                piexif.ImageIFD.Artist: OWNER.encode()},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: STAMP.encode(), piexif.ExifIFD.BodySerialNumber: SERIAL.encode(),
                 piexif.ExifIFD.CameraOwnerName: OWNER.encode()},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: _dms(LAT),
                piexif.GPSIFD.GPSLongitudeRef: b"W", piexif.GPSIFD.GPSLongitude: _dms(LON),
                piexif.GPSIFD.GPSDateStamp: b"2026:11:20"},
        "1st": {piexif.ImageIFD.Compression: 6}, "thumbnail": thumb.getvalue(),
    }))


def pixels(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Stored landscape with a blue band on the left: after orientation 6 the
    band is at the top of a portrait."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 4, size[1]))
    return image


def _exiftool_tags(path: Path) -> None:
    run("exiftool", "-q", "-overwrite_original", f"-XMP-dc:Creator={OWNER}", f"-IPTC:By-line={OWNER}",
        f"-XMP-tiff:Make={DEVICE}", f"-XMP-aux:SerialNumber={SERIAL}", f"-XMP-exif:GPSLatitude={LAT}",
        f"-XMP-exif:GPSLongitude={LON}", f"-XMP-xmp:CreateDate={STAMP}", str(path))


def photo(tmp: Path, fmt: str, size: tuple[int, int] = (400, 300)) -> bytes:
    """JPEG, PNG, WEBP, TIFF or HEIF with camera EXIF (Pillow/piexif), then XMP,
    IPTC and GPS written by exiftool where exiftool writes that format."""
    path = tmp / f"photo.{fmt.lower()}"
    options: dict[str, object] = {"exif": camera_exif()}
    if fmt == "JPEG":
        options["comment"] = f"owner {OWNER}"
    pixels(size).save(path, fmt, **options)
    if fmt in ("JPEG", "PNG", "WEBP", "TIFF", "HEIF"):
        _exiftool_tags(path)
    return path.read_bytes()


def _pdf_page(pdf: pikepdf.Pdf, text: str, image: bytes | None) -> None:
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    if image is not None:
        with Image.open(io.BytesIO(image)) as im:
            width, height = im.size
        xobject = pikepdf.Stream(pdf, image, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                 Width=width, Height=height, ColorSpace=pikepdf.Name.DeviceRGB,
                                 BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        xobject.Metadata = pdf.make_stream(f"<x:xmpmeta>{OWNER}</x:xmpmeta>".encode())
        resources.XObject = pikepdf.Dictionary(Im1=xobject)
        content += b" q 200 0 0 150 72 400 cm /Im1 Do Q"
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                                           Resources=resources, Contents=pdf.make_stream(content)))
    pdf.pages.append(page)


def pdf_document(tmp: Path, text: str = "Reporte de prueba visible") -> bytes:
    """A PDF with selectable text, an EXIF photo, an author everywhere
    (Info, XMP, annotation, image XMP), JavaScript, an attachment, and an
    incremental update by exiftool (where edited-out values survive)."""
    path = tmp / "report.pdf"
    pdf = pikepdf.new()
    jpeg = io.BytesIO()
    pixels((200, 150)).save(jpeg, "JPEG", exif=camera_exif(1))
    _pdf_page(pdf, text, jpeg.getvalue())
    pdf.docinfo["/Author"] = OWNER
    pdf.docinfo["/Creator"] = f"{DEVICE} Office"
    pdf.docinfo["/CreationDate"] = "D:20261120214713-06'00'"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [OWNER]
        meta["xmp:CreatorTool"] = DEVICE
    script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=f"app.alert('{OWNER}')"))
    pdf.Root.OpenAction = script
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=["hello", script]))
    pdf.attachments["contacts.txt"] = pikepdf.AttachedFileSpec(pdf, f"{OWNER} +52 81 1234 5678".encode())
    annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[100, 100, 120, 120],
                               T=OWNER, M="D:20261120214713", Contents="ver foto")
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    pdf.save(path)
    run("exiftool", "-q", "-overwrite_original", f"-PDF:Author={OWNER} {SERIAL}", f"-XMP-dc:Creator={OWNER}",
        f"-PDF:Producer={DEVICE}", str(path))
    return path.read_bytes()


def cover_art() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(out, "JPEG", exif=camera_exif(1))
    return out.getvalue()


_AUDIO = {"mp3": ("libmp3lame", "mp3"), "m4a": ("aac", "ipod"), "ogg": ("libvorbis", "ogg"),
          "opus": ("libopus", "ogg"), "wav": ("pcm_s16le", "wav"), "aac": ("aac", "adts")}


def _tags() -> list[str]:
    return ["-metadata", f"artist={OWNER}", "-metadata", f"comment=serial {SERIAL}",
            "-metadata", f"date={ISO_STAMP}", "-metadata", f"encoded_by={DEVICE}",
            "-metadata", f"location=+{LAT:.4f}{LON:.4f}/"]


def audio(tmp: Path, kind: str) -> bytes:
    """A voice-note-like file with tags (ffmpeg), cover art where the format
    carries one, and extra frames added by mutagen (ID3 TXXX/COMM, MP4 ilst)."""
    codec, muxer = _AUDIO[kind]
    path = tmp / f"note.{kind}"
    art = tmp / "cover.jpg"
    art.write_bytes(cover_art())
    inputs = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
    maps = ["-map", "0:a"]
    if kind in ("mp3", "m4a"):
        inputs += ["-i", str(art)]
        maps += ["-map", "1:v", "-c:v", "copy" if kind == "mp3" else "mjpeg", "-disposition:v", "attached_pic"]
    run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *inputs, *maps, "-c:a", codec, *_tags(),
        "-f", muxer, str(path))
    if kind == "mp3":
        tags = ID3(path)
        tags.add(TXXX(encoding=3, desc="device serial", text=[SERIAL]))
        tags.add(COMM(encoding=3, lang="spa", desc="", text=[f"grabado por {OWNER}"]))
        tags.save(path)
    elif kind == "m4a":
        tagged = MP4(path)
        tagged["\xa9nam"] = [f"nota de {OWNER}"]
        tagged["----:com.apple.iTunes:serial"] = [SERIAL.encode()]
        tagged.save()
    return path.read_bytes()


def video(tmp: Path, kind: str = "mp4") -> bytes:
    """A phone-like clip: H.264 + AAC, location and creation time, a subtitle
    track with GPS text (drones write those), QuickTime Make/Model/GPS by exiftool."""
    path = tmp / f"clip.{kind}"
    subs = tmp / "gps.srt"
    subs.write_text(f"1\n00:00:00,000 --> 00:00:01,000\nGPS {LAT} {LON} {SERIAL}\n")
    run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=1",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-i", str(subs),
        "-map", "0:v", "-map", "1:a", "-map", "2:s", "-c:v", "libx264", "-preset", "ultrafast",
        "-x264-params", f"sei=1", "-c:a", "aac", "-c:s", "mov_text", *_tags(),
        "-metadata", f"creation_time={ISO_STAMP}Z", "-metadata:s:v", f"handler_name={DEVICE} Video",
        "-f", "mov" if kind == "mov" else "mp4", str(path))
    run("exiftool", "-q", "-overwrite_original", f"-Keys:Make={DEVICE}", f"-Keys:Model={DEVICE} 12",
        f"-Keys:GPSCoordinates={LAT}, {LON}", f"-UserData:Artist={OWNER}", str(path))
    return path.read_bytes()


def _zip(members: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    return out.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def docx_document(photo_bytes: bytes, text: str = "Texto visible del reporte") -> bytes:
    """A DOCX as Word saves one after review: core/app/custom properties, a
    thumbnail, comments, tracked insertions and deletions by a named author,
    rsids and paragraph ids, a template path on the author's disk, a photo."""
    run_props = 'w:rsidR="00A1B2C3" w:rsidRPr="00D4E5F6"'
    document = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {_W} {_W14} {_R} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14">
<w:body>
<w:p w14:paraId="1A2B3C4D" w14:textId="77777777" {run_props}><w:r {run_props}><w:t>{text}</w:t></w:r>
<w:ins w:id="1" w:author="{OWNER}" w:date="{ISO_STAMP}Z"><w:r><w:t xml:space="preserve"> agregado</w:t></w:r></w:ins>
<w:del w:id="2" w:author="{OWNER}" w:date="{ISO_STAMP}Z"><w:r><w:delText>borrado {SERIAL}</w:delText></w:r></w:del>
<w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve"> comentado</w:t></w:r><w:commentRangeEnd w:id="0"/>
<w:r><w:commentReference w:id="0"/></w:r></w:p>
<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:extent cx="1905000" cy="1428750"/><wp:docPr id="1" name="Foto"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="foto.jpg"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:sectPr w:rsidR="00A1B2C3"/></w:body></w:document>"""
    return _zip({
        "[Content_Types].xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>
</Types>""",
        "_rels/.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG}">
<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
<Relationship Id="rId3" Type="{_RELS}/extended-properties" Target="docProps/app.xml"/>
<Relationship Id="rId4" Type="{_RELS}/custom-properties" Target="docProps/custom.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/>
</Relationships>""",
        "docProps/core.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:creator>{OWNER}</dc:creator><cp:lastModifiedBy>{OWNER}</cp:lastModifiedBy>
<dcterms:created xsi:type="dcterms:W3CDTF">{ISO_STAMP}Z</dcterms:created></cp:coreProperties>""",
        "docProps/app.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>{DEVICE} SA</Company><Template>Normal.dotm</Template></Properties>""",
        "docProps/custom.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="serial"><vt:lpwstr>{SERIAL}</vt:lpwstr></property></Properties>""",
        "docProps/thumbnail.jpeg": cover_art(),
        "word/document.xml": document,
        "word/_rels/document.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG}">
<Relationship Id="rId7" Type="{_RELS}/comments" Target="comments.xml"/>
<Relationship Id="rId8" Type="{_RELS}/settings" Target="settings.xml"/>
<Relationship Id="rId9" Type="{_RELS}/image" Target="media/image1.jpeg"/>
<Relationship Id="rId10" Type="{_RELS}/hyperlink" Target="https://example.org/noticia" TargetMode="External"/>
</Relationships>""",
        "word/_rels/settings.xml.rels": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_RELS}/attachedTemplate" Target="file:///C:/Users/{OWNER.replace(' ', '')}/Plantillas/Normal.dotm" TargetMode="External"/></Relationships>""",
        "word/comments.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments {_W}><w:comment w:id="0" w:author="{OWNER}" w:date="{ISO_STAMP}Z" w:initials="MLM"><w:p><w:r><w:t>revisar con mi primo</w:t></w:r></w:p></w:comment></w:comments>""",
        "word/settings.xml": f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings {_W} {_R} xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w:trackRevisions/><w:attachedTemplate r:id="rId1"/>
<w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00D4E5F6"/></w:rsids><w15:docId w15:val="{{1B2C3D4E-0000-4000-8000-{SERIAL[2:].rjust(12, '0')}}}"/></w:settings>""",
        "word/media/image1.jpeg": photo_bytes,
    })


_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:officeooo="http://openoffice.org/2009/office" '
           'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
           'xmlns:xlink="http://www.w3.org/1999/xlink"')


def odt_document(photo_bytes: bytes, text: str = "Texto visible del reporte") -> bytes:
    """An ODT as LibreOffice saves one: meta.xml with author and dates, a
    thumbnail, settings with the printer, an annotation, tracked changes, an
    author field, rsids in automatic styles, and a photo."""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Thumbnails/thumbnail.png" manifest:media-type="image/png"/>
<manifest:file-entry manifest:full-path="Pictures/foto.jpg" manifest:media-type="image/jpeg"/>
</manifest:manifest>"""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODF_NS} office:version="1.2">
<office:automatic-styles><style:style style:name="P1" style:family="paragraph"><style:text-properties officeooo:rsid="0012ab34" officeooo:paragraph-rsid="0012ab34"/></style:style></office:automatic-styles>
<office:body><office:text>
<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>{OWNER}</dc:creator><dc:date>{ISO_STAMP}</dc:date></office:change-info><text:p>borrado {SERIAL}</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:p text:style-name="P1">{text}<text:change text:change-id="ct1"/> firmado por <text:author-name>{OWNER}</text:author-name><office:annotation><dc:creator>{OWNER}</dc:creator><dc:date>{ISO_STAMP}</dc:date><text:p>revisar con mi primo</text:p></office:annotation> fin.</text:p>
<text:p><draw:frame draw:name="Foto"><draw:image xlink:href="Pictures/foto.jpg"/></draw:frame></text:p>
</office:text></office:body></office:document-content>"""
    meta = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {_ODF_NS} office:version="1.2"><office:meta><meta:initial-creator>{OWNER}</meta:initial-creator><dc:creator>{OWNER}</dc:creator><meta:creation-date>{ISO_STAMP}</meta:creation-date><meta:generator>{DEVICE}Office/7.4</meta:generator><meta:user-defined meta:name="serial">{SERIAL}</meta:user-defined></office:meta></office:document-meta>"""
    settings = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings {_ODF_NS} xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><office:settings><config:config-item-set config:name="ooo:configuration-settings"><config:config-item config:name="PrinterName" config:type="string">{DEVICE} Printer {OWNER}</config:config-item></config:config-item-set></office:settings></office:document-settings>"""
    thumb = io.BytesIO()
    Image.new("RGB", (16, 16), (5, 5, 5)).save(thumb, "PNG")
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content,
                 "meta.xml": meta, "settings.xml": settings, "Thumbnails/thumbnail.png": thumb.getvalue(),
                 "Pictures/foto.jpg": photo_bytes, "META-INF/manifest.xml": manifest})
