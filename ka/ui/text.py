"""Values from the data inside Streamlit's markdown: shown as the characters they are.

Titles, captions, messages, metric and widget labels are markdown. An account called
`**Big**` would be bold there, `:red[x]` red, `$x$` a formula, and `![x](http://host/p.png)` an
image every viewer's browser fetches. `literal(value)` backslash-escapes every mark that can open
markup (CommonMark shows an escaped mark as itself) and the mark that would start a list or heading
at the value's start; line breaks fold into spaces. Plain names (`Co., Ltd.`, `Yong'an`, Chinese)
pass unchanged.

Escapes do not stop GFM's literal autolinks (`http://…`, `https://…`, `www.…`, `a@b.c`): Streamlit's
renderer finds them in the text after the escapes are read. There `literal` puts a word joiner
(U+2060, invisible and zero-width) before the `:`, the `.` or the `@`, which no link pattern spans.
Pass data values through it where they meet markdown: `t("key", name=literal(name))`.
Tables (st.dataframe), selectbox options and st.code show text as text and need nothing.
"""

from __future__ import annotations

import re

_MARKS = re.compile(r"([\\`*_{}\[\]()<>#!|~:$&^@])")
_LEADING_BLOCK = re.compile(r"^(\s*)([-+=]|\d+[.)])")
_AUTOLINK_JOINTS = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
WORD_JOINER = "\u2060"


def literal(value) -> str:
    """`value` (any type; None as empty) as markdown that shows exactly its text."""
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    text = _MARKS.sub(r"\\\1", _AUTOLINK_JOINTS.sub(WORD_JOINER, text))
    return _LEADING_BLOCK.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text, count=1)
