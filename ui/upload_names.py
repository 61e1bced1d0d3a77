"""数据报送: names that learn. A name the catalogue does not know is mapped to a catalogue entry
(closest matches first) or, by an admin, added as a new indicator; the file is then checked again
and every later file reads the name the same way (cockpit.uploads.aliases)."""
from __future__ import annotations

import streamlit as st

from cockpit.auth import View
from cockpit.store import MEASURES
from cockpit.uploads import aliases as A

from . import state
from .auth import can
from .text import md

NONE = ""
MAX_SHOWN = 20


def _who() -> str:
    viewer = st.session_state.get("viewer")
    if viewer is not None and viewer.via != "open":
        return viewer.name
    return (st.session_state.get("upload_user") or "").strip() or "数据报送页"


def mapping_panel(v: View, unknown: list[dict]) -> bool:
    """The form; True when a mapping or an indicator was saved (the caller checks the file again)."""
    if not unknown:
        return False
    shown = unknown[:MAX_SHOWN]
    st.markdown(f"**未识别的名称（{len(unknown)} 个）**：对应到目录后，本文件重新校验，以后的文件也按此读取。")
    names = {**dict(zip(state.regions(v).code, state.regions(v).name)),
             **dict(zip(state.indicators(v).code, state.indicators(v).name))}
    with st.form("alias_form"):
        chosen = []
        for i, u in enumerate(shown):
            word = A.KINDS[u["kind"]]
            options = [NONE, *A.suggestions(state.store(), u["kind"], u["text"], limit=12)]
            # Names and sheet names are what someone typed: shown literally, never as Markdown.
            pick = st.selectbox(f"{word}“{md(u['text'])}”（{u['count']} 处，首见于{md(u['first'])}）", options,
                                key=f"alias_pick_{i}",
                                format_func=lambda c: "（暂不对应，本次不导入）" if c == NONE else names.get(c, c))
            chosen.append((u, pick))
        saved = st.form_submit_button("保存对应并重新校验")
    if len(unknown) > MAX_SHOWN:
        st.caption(f"另有 {len(unknown) - MAX_SHOWN} 个名称未列出，保存后会继续列出。")
    done = False
    if saved:
        for u, pick in chosen:
            if pick == NONE:
                continue
            try:
                st.success(md(A.add(state.store(), u["kind"], u["text"], pick, by=_who())))
                done = True
            except A.AliasRefused as exc:
                st.error(md(exc))
    indicators = [u for u in shown if u["kind"] == "indicator"]
    if indicators and can("action:catalog"):
        done |= _new_indicator(v, indicators)
    return done


def _new_indicator(v: View, unknown: list[dict]) -> bool:
    with st.expander("管理员：作为新指标加入目录"):
        with st.form("new_indicator_form"):
            name = st.selectbox("指标名称", [u["text"] for u in unknown], key="new_ind_name")
            c1, c2, c3 = st.columns([1, 2, 1])
            unit = c1.text_input("单位", key="new_ind_unit", max_chars=16, placeholder="如 亿元")
            measures = c2.multiselect("发布口径", list(MEASURES), format_func=MEASURES.get, key="new_ind_measures")
            domains = [d for d in state.indicators(v).domain.unique() if d != "数字政府"]
            domain = c3.selectbox("领域", domains, key="new_ind_domain")
            add = st.form_submit_button("加入指标目录")
        if add:
            try:
                code = A.add_indicator(state.store(), name, unit, measures, domain, by=_who())
                st.success(f"已加入指标目录：{md(name)}（{code}）。")
                return True
            except A.AliasRefused as exc:
                st.error(md(exc))
    return False
