"""Logging that cannot carry request data (P1).

No access log; the ``httpx`` logger at WARNING (at INFO it logs whole URLs,
tokens included); no timestamps from us, since a log line's time next to a
report's would narrow down when it arrived.
"""

from __future__ import annotations

import logging
import sys

QUIET = ("httpx", "httpcore", "uvicorn.access", "multipart", "python_multipart", "PIL")


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True
