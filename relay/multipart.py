"""multipart/form-data parsed in memory, for the citizen's form.

Starlette's ``request.form()`` spools any upload over 1 MB to a temporary
file: an unscrubbed photo with GPS on the disk, which promise P2 forbids.
Here python-multipart's streaming parser fills byte buffers instead; the
body is already bounded by ``max_body_bytes`` (middleware), and the counts
of fields and files are bounded below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from relay.errors import UnsupportedMediaError, ValidationError


@dataclass
class FormData:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (field name, content)


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)


def parse_form(body: bytes, content_type: str, *, max_fields: int = 32, max_files: int = 10) -> FormData:
    """Fields and non-empty files of a multipart body. File names are not
    kept: they often carry the sender's name or the phone's photo counter."""
    media, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaError("the form must be sent as multipart/form-data")
    parts: list[_Part] = []
    header: list[bytes] = [b"", b""]

    def on_part_begin() -> None:
        if len(parts) >= max_fields + max_files:
            raise ValidationError("the form has too many fields")
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        parts[-1].headers[header[0].strip().lower()] = header[1].strip()
        header[0], header[1] = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].data += data[start:end]

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end, "on_part_data": on_part_data,
    })
    try:
        parser.write(body)
        parser.finalize()
    except ValidationError:
        raise
    except Exception as exc:  # python-multipart's parse errors
        raise ValidationError("the form could not be read") from exc
    return _collect(parts, max_files)


def _collect(parts: list[_Part], max_files: int) -> FormData:
    form = FormData()
    for part in parts:
        _, disposition = parse_options_header(part.headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in disposition:
            if part.data:  # an empty file input sends a nameless, empty part
                form.files.append((name, bytes(part.data)))
        else:
            form.fields[name] = part.data.decode("utf-8", "replace")
    if len(form.files) > max_files:
        raise ValidationError(f"at most {max_files} attachments are accepted")
    return form
