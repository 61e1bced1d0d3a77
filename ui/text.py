"""User text shown as text.

Streamlit renders Markdown in st.markdown, st.caption, st.info/success/warning/error, headers and
labels. A name, note, reason, file or sheet name that someone typed must never become a link, an
image (a tracking pixel inside an offline intranet) or a coloured directive: every such value
passes through md() before it is put into a Markdown string.
"""
from __future__ import annotations

import re

# Markdown, GitHub extensions and Streamlit's own :directive[...] and :emoji: syntax.
_TABLE = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]<>()#+-.!|~$:=\"'&"})
# GitHub-style autolinking turns bare addresses (http://…, www.…, name@host) into links after
# escapes are read; an invisible zero-width space inside each pattern keeps it plain text.
_BARE_ADDRESS = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\\\.)|(?=@)")


def md(text) -> str:
    """`text` escaped so that Markdown shows it literally, on one line."""
    escaped = str(text if text is not None else "").translate(_TABLE)
    return " ".join(_BARE_ADDRESS.sub("\u200b", escaped).split())
