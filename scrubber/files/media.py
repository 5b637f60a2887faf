"""Audio and video: streams copied into a fresh container with no metadata.

MP3, AAC, M4A, OGG/Opus/Vorbis, WAV, MP4 and QuickTime. ffmpeg remuxes the
audio and video streams (no re-encoding, so no quality loss and little CPU)
with global, per-stream and chapter metadata dropped and the muxers' own
version stamps off (``bitexact``). What is not a plain audio or video stream
is left behind: cover art (attached pictures), subtitle and data tracks (phones
and drones put GPS tracks there), chapters. H.264/HEVC "SEI" units, where some
cameras write their serial numbers and GPS, are filtered out of the
bitstream. mutagen then reads the result back and any tag it still finds makes
the file refused.

The one place in ``scrubber/`` that starts a process. It stays a function of
bytes to bytes: input and output live in anonymous memory files (memfd),
so the uncleaned file never touches the disk (P2), and ffmpeg runs under
CPU-time, memory and wall-clock limits with the demuxer fixed by our own
sniffing, network protocols and external references off.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from typing import Any, ClassVar

import mutagen

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files.base import CleanedFile

# sniffed type -> (demuxer, muxer, muxer options)
_CONTAINERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "audio/mpeg": ("mp3", "mp3", ("-id3v2_version", "0", "-write_id3v1", "0")),
    "audio/aac": ("aac", "adts", ()),
    "audio/mp4": ("mov", "ipod", ()),
    "audio/ogg": ("ogg", "ogg", ()),
    "audio/wav": ("wav", "wav", ()),
    "video/mp4": ("mov", "mp4", ("-movflags", "+faststart")),
    "video/quicktime": ("mov", "mov", ("-movflags", "+faststart")),
}
# Bitstream filters that drop SEI units (user data: serial numbers, GPS, settings).
_SEI_FILTERS = {"h264": "filter_units=remove_types=6", "hevc": "filter_units=remove_types=39|40"}
_HARMLESS_TAGS = {"major_brand", "minor_version", "compatible_brands"}
# What ffmpeg itself writes for a stream in bitexact mode: names no one.
_DEFAULT_STREAM_TAGS = {("handler_name", "VideoHandler"), ("handler_name", "SoundHandler"),
                        ("vendor_id", "[0][0][0][0]"), ("language", "und")}


class MediaCleaner:
    """Audio and video files, remuxed by ffmpeg (see the module docstring)."""

    mime_types: ClassVar[tuple[str, ...]] = tuple(_CONTAINERS)

    def __init__(self, *, timeout_s: float = 120.0, memory_bytes: int = 2 << 30,
                 ffmpeg: str | None = None, ffprobe: str | None = None) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.ffmpeg = ffmpeg or shutil.which("ffmpeg")
        self.ffprobe = ffprobe or shutil.which("ffprobe")

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]:
        """Streams and what metadata the file carries, by kind (from ffprobe)."""
        probe = self._probe(data, mime_type)
        return {"format": mime_type, "streams": [s.get("codec_type") for s in probe["streams"]],
                "metadata": _metadata_kinds(probe)}

    def clean(self, data: bytes, mime_type: str) -> CleanedFile:
        """Guarantee: the output holds only the audio and video streams, copied
        bit for bit minus SEI units, in a container with no tags, no chapters,
        no cover art and zeroed creation times; checked again with mutagen."""
        probe = self._probe(data, mime_type)
        removed = [kind for kind, present in _metadata_kinds(probe).items() if present]
        streams = [s for s in probe["streams"] if _is_content(s)]
        if not streams:
            raise MalformedFileError("file has no audio or video stream")
        output = self._run(self._remux_command(mime_type, streams), data, want_output=True)
        _check_no_tags(output)
        return CleanedFile(mime_type, output, tuple(removed))

    def _remux_command(self, mime_type: str, streams: list[dict[str, Any]]) -> list[str]:
        demuxer, muxer, options = _CONTAINERS[mime_type]
        command = ["-f", demuxer, "-i", "{input}"]
        for stream in streams:
            command += ["-map", f"0:{int(stream['index'])}"]
        for position, stream in enumerate(streams):
            sei = _SEI_FILTERS.get(str(stream.get("codec_name")))
            if sei:
                command += [f"-bsf:{position}", sei]
        command += ["-c", "copy", "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
                    "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
                    *options, "-f", muxer, "{output}"]
        return command

    def _probe(self, data: bytes, mime_type: str) -> dict[str, Any]:
        demuxer = _CONTAINERS[mime_type][0]
        raw = self._run(["-f", demuxer, "-i", "{input}", "-show_format", "-show_streams",
                         "-show_chapters", "-of", "json"], data, probe=True)
        try:
            probe = json.loads(raw)
        except ValueError as exc:
            raise MalformedFileError(f"{mime_type} file cannot be parsed") from exc
        if not isinstance(probe, dict) or "format" not in probe:
            raise MalformedFileError(f"{mime_type} file cannot be parsed")
        probe.setdefault("streams", [])
        return probe

    def _run(self, arguments: list[str], data: bytes, *, probe: bool = False, want_output: bool = False) -> bytes:
        program = self.ffprobe if probe else self.ffmpeg
        if program is None:
            raise UnsupportedFileError("audio and video are not accepted here: ffmpeg is not installed")
        source = _memory_file("relay-in", data)
        target = _memory_file("relay-out", b"") if want_output else None
        fds = (source,) if target is None else (source, target)
        paths = {"{input}": f"/proc/self/fd/{source}", "{output}": f"/proc/self/fd/{target}"}
        command = [*self._limits(), program, "-hide_banner", "-loglevel", "error",
                   *([] if probe else ["-nostdin", "-y", "-threads", "1"]),
                   "-protocol_whitelist", "file", *[paths.get(a, a) for a in arguments]]
        try:
            result = subprocess.run(command, pass_fds=fds, capture_output=True, timeout=self.timeout_s,
                                    stdin=subprocess.DEVNULL, check=False)
            if result.returncode != 0:
                raise MalformedFileError("audio or video file cannot be parsed")
            return _read_all(target) if target is not None else result.stdout
        except subprocess.TimeoutExpired:
            raise MalformedFileError("audio or video file took too long to process") from None
        finally:
            for fd in fds:
                os.close(fd)

    def _limits(self) -> list[str]:
        """CPU and address-space limits for the child, set by util-linux's
        prlimit before ffmpeg starts (a ``preexec_fn`` is unsafe in threads)."""
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            return []
        return [prlimit, f"--as={self.memory_bytes}", f"--cpu={int(self.timeout_s)}", "--"]


def _is_content(stream: dict[str, Any]) -> bool:
    attached = bool(stream.get("disposition", {}).get("attached_pic"))
    return stream.get("codec_type") in ("audio", "video") and not attached


def _metadata_kinds(probe: dict[str, Any]) -> dict[str, bool]:
    tags = {k.lower(): v for k, v in probe["format"].get("tags", {}).items() if k.lower() not in _HARMLESS_TAGS}
    stream_tags = [k.lower() for s in probe["streams"] for k, v in s.get("tags", {}).items()
                   if (k.lower(), v) not in _DEFAULT_STREAM_TAGS]
    all_keys = list(tags) + stream_tags
    return {
        "tags": bool(tags),
        "location": any("location" in k or "iso6709" in k or "xyz" in k for k in all_keys),
        "dates": any("date" in k or "time" in k for k in all_keys),
        "stream_tags": bool(stream_tags),
        "cover_art": any(s.get("disposition", {}).get("attached_pic") for s in probe["streams"]),
        "data_streams": any(s.get("codec_type") not in ("audio", "video") for s in probe["streams"]),
        "chapters": bool(probe.get("chapters")),
    }


def _check_no_tags(output: bytes) -> None:
    try:
        parsed = mutagen.File(io.BytesIO(output))
    except mutagen.MutagenError as exc:
        raise MalformedFileError("cleaned audio or video file cannot be read back") from exc
    if getattr(parsed, "tags", None):  # a tag container with anything in it
        raise MalformedFileError("tags could not be removed from this audio or video file")


def _memory_file(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    return fd


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0)
