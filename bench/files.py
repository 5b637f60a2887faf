"""File cleaner speed and leaks beside mat2 and exiftool, same files, same run.

    apt-get install mat2 libimage-exiftool-perl ffmpeg poppler-utils
    .venv/bin/python bench/files.py [--photos 16] [--big 4] [--pdfs 8] [--audio 8] [--rounds 2]

The set is made here with real metadata (tests/scrubber/files/samples.py):
photos of 1600x1200 and 12 MP (4000x3000) with camera EXIF, GPS, XMP and
IPTC, PDFs with authors, scripts, an attachment and an EXIF photo, MP3 voice
notes with ID3 tags and cover art. Each tool cleans every file:

- ours: `scrubber.files.clean_file` in this process (PDFs in its limited child);
- libmat2 in-process (Debian's python3 running bench/mat2_inprocess.py);
- the mat2 CLI, one process per file (how a shell pipeline would call it);
- `exiftool -all=`, one process per category over all its files (batch mode,
  the fastest way to call it).

Files/s are medians over rounds, per category. "leaky" counts outputs in
which tests/scrubber/files/leaks.py (exiftool -a -G1 -ee plus a byte search)
still finds a marker or identifying tag; "failed" counts files a tool could
not clean. For PDFs, "text" says whether pdftotext still finds the text.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from scrubber.files import clean_file  # noqa: E402
from tests.scrubber.files import samples  # noqa: E402
from tests.scrubber.files.leaks import leaks  # noqa: E402

PDF_TEXT = "Reporte de prueba visible"


def realistic_photo(tmp: Path, size: tuple[int, int], seed: int) -> bytes:
    """Sensor-like noise over a gradient (flat colours would flatter every
    encoder), with the samples' camera EXIF, then exiftool's XMP/IPTC/GPS."""
    width, height = size
    noise = [Image.effect_noise(size, 40 + 5 * (seed % 3)) for _ in range(3)]
    gradient = Image.linear_gradient("L").resize(size)
    channels = [Image.blend(n, gradient, 0.5) for n in noise]
    path = tmp / f"photo-{width}x{height}-{seed}.jpg"
    Image.merge("RGB", channels).save(path, "JPEG", quality=90, exif=samples.camera_exif())
    samples._exiftool_tags(path)  # noqa: SLF001 - the same tags the tests write
    return path.read_bytes()


def make_set(tmp: Path, photos: int, big: int, pdfs: int, audio: int) -> dict[str, list[Path]]:
    made: dict[str, list[bytes]] = {
        "photo 1600x1200": [realistic_photo(tmp, (1600, 1200), i) for i in range(photos)],
        "photo 12 MP": [realistic_photo(tmp, (4000, 3000), i) for i in range(big)],
        "PDF": [samples.pdf_document(tmp, PDF_TEXT) for _ in range(pdfs)],
        "MP3": [samples.audio(tmp, "mp3") for _ in range(audio)],
    }
    suffix = {"photo 1600x1200": ".jpg", "photo 12 MP": ".jpg", "PDF": ".pdf", "MP3": ".mp3"}
    files: dict[str, list[Path]] = {}
    for category, blobs in made.items():
        folder = tmp / "set" / category.replace(" ", "_")
        folder.mkdir(parents=True)
        files[category] = []
        for i, blob in enumerate(blobs):
            path = folder / f"f{i}{suffix[category]}"
            path.write_bytes(blob)
            files[category].append(path)
    return files


def run_ours(paths: list[Path], out: Path) -> tuple[float, list[bytes | None]]:
    outputs: list[bytes | None] = []
    started = time.perf_counter()
    for path in paths:
        try:
            outputs.append(clean_file(path.read_bytes()).data)
        except Exception:  # noqa: BLE001 - counted as a failure
            outputs.append(None)
    return time.perf_counter() - started, outputs


def run_libmat2(paths: list[Path], out: Path) -> tuple[float, list[bytes | None]]:
    copies = _copies(paths, out)
    result = subprocess.run(["/usr/bin/python3", str(Path(__file__).parent / "mat2_inprocess.py"),
                             *map(str, copies)], capture_output=True, text=True, timeout=3600)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    seconds = sum(row["seconds"] for row in rows)
    return seconds, [Path(r["output"]).read_bytes() if r["ok"] else None for r in rows]


def run_mat2_cli(paths: list[Path], out: Path) -> tuple[float, list[bytes | None]]:
    copies = _copies(paths, out)
    outputs: list[bytes | None] = []
    started = time.perf_counter()
    for copy in copies:
        done = subprocess.run(["mat2", str(copy)], capture_output=True, timeout=600)
        cleaned = copy.with_name(copy.stem + ".cleaned" + copy.suffix)
        outputs.append(cleaned.read_bytes() if done.returncode == 0 and cleaned.exists() else None)
    return time.perf_counter() - started, outputs


def run_exiftool(paths: list[Path], out: Path) -> tuple[float, list[bytes | None]]:
    copies = _copies(paths, out)
    started = time.perf_counter()
    subprocess.run(["exiftool", "-q", "-q", "-all=", "-overwrite_original", *map(str, copies)],
                   capture_output=True, timeout=3600)
    seconds = time.perf_counter() - started
    originals = [p.read_bytes() for p in paths]
    # exiftool leaves a file it cannot write unchanged: that is a failure, not a clean.
    return seconds, [c.read_bytes() if c.read_bytes() != o else None for c, o in zip(copies, originals)]


def _copies(paths: list[Path], out: Path) -> list[Path]:
    folder = Path(tempfile.mkdtemp(dir=out))
    copies = []
    for path in paths:
        copy = folder / path.name
        shutil.copyfile(path, copy)
        copies.append(copy)
    return copies


TOOLS = {"ours": run_ours, "libmat2 (in-process)": run_libmat2, "mat2 CLI": run_mat2_cli,
         "exiftool -all=": run_exiftool}


def pdf_text_kept(output: bytes, tmp: Path) -> bool:
    path = tmp / "text-check.pdf"
    path.write_bytes(output)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=60)
    return PDF_TEXT.encode() in done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--big", type=int, default=4)
    parser.add_argument("--pdfs", type=int, default=8)
    parser.add_argument("--audio", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for tool in ("mat2", "exiftool", "ffmpeg", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install mat2 libimage-exiftool-perl ffmpeg poppler-utils")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        files = make_set(tmp, args.photos, args.big, args.pdfs, args.audio)
        print(f"set: {', '.join(f'{len(v)} {k}' for k, v in files.items())}; rounds: {args.rounds}")
        print("| category | tool | files/s | vs ours | leaky | failed | notes |")
        print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        for category, paths in files.items():
            timings: dict[str, list[float]] = {tool: [] for tool in TOOLS}
            last: dict[str, list[bytes | None]] = {}
            for _ in range(args.rounds):  # tools alternate round by round: noise hits all alike
                for tool, run in TOOLS.items():
                    seconds, last[tool] = run(paths, tmp)
                    timings[tool].append(seconds)
            rates = {tool: len(paths) / statistics.median(seconds) for tool, seconds in timings.items()}
            for tool, outputs in last.items():
                failed = sum(o is None for o in outputs)
                leaky = sum(1 for o in outputs if o is not None and leaks(o, tmp))
                notes = ""
                if category == "PDF":
                    kept = sum(1 for o in outputs if o is not None and pdf_text_kept(o, tmp))
                    notes = f"text kept in {kept}/{len(paths)}"
                if category.startswith("photo"):
                    sizes = {Image.open(io.BytesIO(o)).size for o in outputs if o is not None}
                    notes = "sizes " + ", ".join(f"{w}x{h}" for w, h in sorted(sizes))
                ratio = rates[tool] / rates["ours"]
                print(f"| {category} | {tool} | {rates[tool]:.1f} | {ratio:.2f} | {leaky} | {failed} | {notes} |",
                      flush=True)


if __name__ == "__main__":
    main()
