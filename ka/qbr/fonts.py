"""The CJK font the PDF embeds: found on this machine, never downloaded.

Debian's fonts-noto-cjk (installed by tests/setup.sh) is the usual source; KA_RADAR_CJK_FONT
(and KA_RADAR_CJK_FONT_BOLD) point at any other .ttc/.otf/.ttf file with Chinese glyphs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ka.qbr.request import RequestError

KNOWN_PATHS = (  # Debian/Ubuntu, Fedora, Arch and Homebrew layouts of Noto Sans CJK
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
)
PREFERRED_FACE = "SC"  # simplified Chinese glyph shapes within a pan-CJK collection


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int  # face number inside a .ttc collection (0 for a single font)


@dataclass(frozen=True)
class CjkFont:
    regular: FontFace
    bold: FontFace | None  # None: bold text is drawn with a stroke around the regular glyphs


def _face(path: str) -> FontFace:
    """The simplified-Chinese face of a collection, else its first face."""
    if not path.lower().endswith((".ttc", ".otc")):
        return FontFace(path, 0)
    from fontTools import ttLib

    collection = ttLib.TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        name = font["name"].getDebugName(1) or ""
        if name.endswith(f" {PREFERRED_FACE}") and "Mono" not in name:
            return FontFace(path, index)
    return FontFace(path, 0)


def _fc_match(pattern: str) -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found and Path(found).exists() and "CJK" in found else None


@cache
def find_cjk_font() -> CjkFont:
    """The font for PDF text; RequestError (qbr.error.font_missing) when there is none."""
    regular, bold = os.environ.get("KA_RADAR_CJK_FONT"), os.environ.get("KA_RADAR_CJK_FONT_BOLD")
    if not (regular and Path(regular).exists()):
        regular = bold = None
        for regular_path, bold_path in KNOWN_PATHS:
            if Path(regular_path).exists():
                regular, bold = regular_path, bold_path
                break
        regular = regular or _fc_match("Noto Sans CJK SC")
    if not regular:
        raise RequestError("qbr.error.font_missing")
    return CjkFont(_face(regular), _face(bold) if bold and Path(bold).exists() else None)
