"""libmat2 called in-process, for bench/files.py (run by Debian's python3,
where `apt-get install mat2` puts libmat2 and its GObject bindings).

    /usr/bin/python3 bench/mat2_inprocess.py FILE...

Prints one JSON object per file: seconds spent in get_parser + remove_all,
the output path, and whether mat2 reported success.
"""

import json
import sys
import time

from libmat2 import parser_factory

for path in sys.argv[1:]:
    started = time.perf_counter()
    try:
        parser, _ = parser_factory.get_parser(path)
        ok = bool(parser and parser.remove_all())
        output = parser.output_filename if parser else None
    except Exception as exc:  # mat2 refuses some inputs by raising
        ok, output = False, f"error: {type(exc).__name__}"
    print(json.dumps({"path": path, "seconds": time.perf_counter() - started, "ok": ok, "output": output}))
