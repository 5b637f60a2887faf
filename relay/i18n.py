"""The form's languages: message catalogues (gettext, read with Babel).

Source strings are English; ``relay/locale/<lang>/LC_MESSAGES/messages.po``
translates them. Catalogues are compiled in memory at start-up (no binary
``.mo`` files in the repository). Spanish is the default; English only on an
explicit switch, because Tor Browser reports en-US for everyone.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("es", "en")
DEFAULT = "es"


def choose(value: object) -> str:
    """The language asked for explicitly, or Spanish."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    source = files("relay").joinpath(f"locale/{lang}/LC_MESSAGES/messages.po").read_bytes()
    catalog = read_po(io.BytesIO(source), locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
