"""Panels of 月度简报: choose the month (and, for city users, the region), make the pack with
progress, then take the three files. The pack is made in the core and the service layer
(service.briefing); this page only asks and hands over."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cockpit import fmt, periods
from cockpit.auth import View
from cockpit.briefing.content import DOMAIN, BriefingRefused
from service import briefing, briefing_render

from . import state
from .widgets import as_of, export_button, guard

KEY = "briefing_files"


@dataclass(frozen=True)
class Choice:
    month: str
    region: str


@st.cache_data(show_spinner=False, max_entries=8)
def months(v: View) -> list[str]:
    """Months with economic figures the viewer may see, newest first."""
    ind = state.indicators(v)
    obs = state.observations(v, tuple(ind[ind.domain == DOMAIN].code))
    return sorted(obs.period.unique().tolist(), reverse=True)


def request(v: View) -> Choice:
    briefing_render.warm_in_background()  # the first chart costs the browser's start: begin it now
    available = months(v) or [periods.last_complete_month()]
    regions = state.regions(v)
    names = dict(zip(regions.code, regions.name))
    c1, c2 = st.columns(2)
    month = c1.selectbox("简报月份", available, format_func=periods.label, key="b_month")
    codes = list(regions.code)
    region = c2.selectbox("地区", codes, index=codes.index(state.home_region(v)), format_func=names.get,
                          key="b_region", disabled=len(codes) == 1)
    as_of(periods.label(available[0]))  # the newest month with figures: the months offered end there
    st.caption("简报含：封面；主要经济指标各一页（图表与统计公报式解读，全市简报为分县区对比，县区简报为本县区走势）；"
               "居民消费价格指数、城镇调查失业率；12345 热线受理情况；预警情况（该月月末正在触发的预警，当月简报为生成时的）；逾期未完成的重点任务；"
               "数字政府建设主要指标（仅全市简报）。每页印有筛选条件与数据截至，演示数据的页面标明“演示数据”。")
    return Choice(month, region)


def make(v: View, choice: Choice) -> None:
    if not st.button("生成月度简报", type="primary", icon=":material/slideshow:", key="b_make"):
        return
    st.session_state.pop(KEY, None)
    # A fault of ours: st.status shows it failed, guard logs it and says so calmly.
    with guard("月度简报"), st.status("正在生成月度简报…", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            files = briefing.make(state.store(), choice.month, choice.region, v.scope,
                                  progress=lambda f, t: bar.progress(min(f, 1.0), text=t))
        except (BriefingRefused, briefing_render.RenderError) as exc:
            status.update(label="未能生成月度简报", state="error")
            st.error(str(exc))
            return
        status.update(label="月度简报已生成", state="complete", expanded=False)
        st.session_state[KEY] = (files, v.scope, choice)


def result(v: View, choice: Choice) -> None:
    files, scope, made_for = st.session_state.get(KEY, (None, None, None))
    # None yet, made under another account in this tab, or for another month or region than the
    # one now chosen (its downloads stood under the new choice, waiting to be taken for it).
    if files is None or scope != v.scope or made_for != choice:
        return
    pack = files.pack
    st.subheader(f"{pack.title}（{pack.subtitle}）")
    cols = st.columns(len(briefing.KINDS))
    for col, (kind, label) in zip(cols, briefing.KINDS.items()):
        with col:
            export_button(f"下载{label}", files.data[kind], files.name(kind), what=f"briefing:{kind}",
                          key=f"b_dl_{kind}", mime=briefing.MIME[kind], icon=":material/download:")
    as_of(f"{pack.as_of} · {pack.filters} · 生成于 {fmt.minute(pack.generated_at)}")
    st.markdown("**解读**（与简报各页相同）")
    for section in pack.charts:
        st.text(section.text)  # text as text: nothing in it is interpreted
    for t in pack.tables:
        st.text(t.text)
    for note in pack.notes:
        st.caption(note)
