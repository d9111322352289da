"""Half-width punctuation in Chinese text turned full-width, as the bundled plan records it.

Documents typed on a Latin keyboard layout often carry "," "(" ")" ":" ";" where Chinese text wants
"，" "（" "）" "：" "；". The plan keeps the words exactly and only changes these marks; a colon between
digits (a ratio or a time, 3:1) a comma grouping thousands (11,000) and the full stop of a number (1.5) stay
as they are.
"""

from __future__ import annotations

import re

_SIMPLE = str.maketrans({"(": "（", ")": "）", ";": "；", "?": "？", "!": "！"})
# Between digits a comma groups thousands (11,000) and a colon is a ratio or a time (3:1): kept.
_COMMA = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))")
_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_QUOTED = re.compile(r'"([^"\n]*)"')


def full_width(text: str) -> str:
    text = text.translate(_SIMPLE)
    text = _COMMA.sub("，", text)
    text = _COLON.sub("：", text)
    if text.count('"') % 2 == 0:  # straight quotes in pairs become “…”; an odd one is left alone
        text = _QUOTED.sub(r"“\1”", text)
    return text
