"""The one filter bar every decision page shares: period, region, 当月/累计.

Values live in the URL (?period=2026-10&region=411481&basis=ytd) so that a wall
display or a bookmark opens the same view, and they carry across pages.
It renders in the page body: no panel assumes the sidebar exists.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from cockpit import periods
from cockpit.auth import View
from cockpit.catalog import CITY

from . import state

BASES = {"month": "当月", "ytd": "累计"}


@dataclass(frozen=True)
class Filters:
    period: str  # YYYY-MM
    region: str  # region code; CITY for the whole city
    basis: str  # month | ytd

    @property
    def is_city(self) -> bool:
        return self.region == CITY


def _param(name: str, allowed: list[str], default: str) -> str:
    value = st.query_params.get(name)
    return value if value in allowed else default


def filter_bar(v: View, available_periods: list[str], *, show_basis: bool = True,
               show_period: bool = True) -> Filters:
    """Render the bar and return the choice. `available_periods` ascending, YYYY-MM."""
    regions = state.regions(v)
    codes = regions.code.tolist()
    names = dict(zip(regions.code, regions.name))
    months = sorted(available_periods, reverse=True) or [periods.last_complete_month()]
    # Seed widget state from the URL once; afterwards the widgets own it (no index= so
    # a drill-down that sets the state never conflicts with a default).
    for key, name, allowed, default in (("f_period", "period", months, months[0]),
                                        ("f_region", "region", codes, state.home_region(v)),
                                        ("f_basis", "basis", list(BASES), "ytd")):
        if st.session_state.get(key) not in allowed:
            st.session_state[key] = _param(name, allowed, default)
    cols = st.columns([2, 2, 2, 3] if show_basis else [2, 2, 5])
    period = st.session_state["f_period"]
    if show_period:
        with cols[0]:
            period = st.selectbox("时期", months, key="f_period", format_func=periods.label)
    with cols[1]:
        region = st.selectbox("地区", codes, key="f_region", format_func=names.get)
    basis = st.session_state["f_basis"]
    if show_basis:
        with cols[2]:
            basis = st.radio("口径", list(BASES), key="f_basis", format_func=BASES.get, horizontal=True)
    with cols[-1]:
        if region != CITY and CITY in codes:
            st.write("")  # align with the labelled widgets
            st.button(f"返回全市（当前：{names[region]}）", key="f_back", on_click=_back_to_city)
    st.query_params.update({"period": period, "region": region, "basis": basis})
    return Filters(period=period, region=region, basis=basis)


def _back_to_city() -> None:
    st.session_state["f_region"] = CITY


def drill_to(region: str) -> None:
    """Drill down to a county. Use as a widget callback (on_click/on_select, args=(code,)):
    Streamlit refuses to change a widget's state after the widget was drawn in a run."""
    st.session_state["f_region"] = region


def months_of(obs: pd.DataFrame) -> list[str]:
    return sorted(obs.period.unique().tolist())
