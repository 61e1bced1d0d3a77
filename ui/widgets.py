"""Small building blocks every page uses: banners, tiles, the error guard."""
from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from cockpit import audit, city, fmt
from cockpit.signals import LEVELS, LIGHTS, OUTCOMES
from cockpit.metrics import Figure
from cockpit.store import StoreUnavailable

from . import state, zh_cn
from .auth import can
from .text import md  # noqa: F401  (panels import it from here)

log = logging.getLogger("cockpit.ui")
ASSETS = Path(__file__).resolve().parents[1] / "assets"


def badge(signal) -> str:
    """A light or a warning level as a coloured badge in markdown ('' for none)."""
    return f":{signal.badge}-badge[{signal.tag or signal.name}]" if signal is not None else ""


def level_badge(level) -> str:
    return badge(LEVELS.get(int(level))) if level is not None and level == level else ""


def apply_theme() -> None:
    st.html(f"<style>{(ASSETS / 'cockpit.css').read_text(encoding='utf-8')}</style>")
    with st.container(key="cockpit_zh_cn"):  # hidden by cockpit.css; the script runs once per page
        st.html(zh_cn.script(), unsafe_allow_javascript=True)


@contextlib.contextmanager
def guard(what: str):
    """Show a calm Chinese message instead of a traceback, and log the details."""
    try:
        yield
    except StoreUnavailable as exc:
        st.error(f"{what}：{exc}", icon=":material/cloud_off:")
    except Exception:  # Streamlit's rerun/stop are BaseException and pass through
        log.exception("panel failed: %s", what)
        st.error(f"{what}暂时无法显示，已记录错误日志，请稍后刷新或联系管理员。", icon=":material/error:")


def export_button(label: str, data: bytes | Callable[[], bytes], file_name: str, *, what: str, key: str,
                  mime: str | None = None, **kwargs) -> None:
    """A download whose taking is written to the audit log (exports are audited). Not shown to a
    viewer who may not export (a wall display's read-only link has no actions)."""
    if not can("action:export"):
        return
    if callable(data):  # made when clicked (a picture drawn on the server): audited once it is made
        store, user, make = state.store(), st.session_state.get("user_name", "未登录用户"), data

        def data():
            out = make()
            audit.record(store, user, "export", what, file_name)
            return out
        st.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore", **kwargs)
        return
    st.download_button(label, data, file_name=file_name, mime=mime, key=key,
                       on_click=_audit_export, args=(what, file_name), **kwargs)


def _audit_export(what: str, file_name: str) -> None:
    audit.record(state.store(), st.session_state.get("user_name", "未登录用户"), "export", what, file_name)


def demo_banner(datasets: set[str], shown: set[str]) -> None:
    if datasets & shown:
        st.warning(f"**演示数据**：本页部分或全部数字为系统生成的演示数据，{city.NOT_REAL}；"
                   f"规划指标目标与重点任务清单取自{state.plan().caliber}。",
                   icon=":material/science:")


def as_of(text: str) -> None:
    st.caption(f"数据截至：{text}")


def figure_tile(f: Figure) -> None:
    """A headline tile: 累计 (or 当月) value with its 同比; rate-only indicators show the rate."""
    colour = "off" if f.higher_is_better is None else ("normal" if f.higher_is_better else "inverse")
    basis = "累计" if f.measure == "ytd" else "当月"
    if f.value is None:
        label = f"{f.name}（{f.period_label}{basis}增速）"
        st.metric(label, fmt.pct_change(f.yoy), help="该指标按可比价格计算，仅发布增速")
        return
    # The delta must start with its sign: Streamlit picks the arrow from it.
    delta = (fmt.pp(f.yoy) if f.yoy_pp else fmt.pct_change(f.yoy)) if f.yoy is not None else None
    estimated = f.yoy is not None and not f.yoy_reported
    st.metric(f"{f.name}（{f.period_label}{'' if f.measure == 'month' else '累计'}）",
              fmt.number(f.value, f.unit), delta, delta_color=colour,
              delta_description="同比（推算）" if estimated else "同比",
              help="同比由本系统按上年同期数计算（推算），非统计部门发布" if estimated else None)


def map_legend(entries: list[tuple[tuple[int, int, int], str]], what: str) -> None:
    """The choropleth's key under the map: a swatch per shade and the range it stands for."""
    items = "".join(f'<span class="cockpit-legend-item"><i style="background: rgb{tuple(c)}"></i>{html.escape(t)}</span>'
                    for c, t in entries)
    st.html(f'<div class="cockpit-legend"><b>{html.escape(what)}</b>{items}</div>')


def shortfall(value: float | None, unit: str) -> str:
    """How far a missed target was missed: 个百分点 for a rate, else the unit."""
    if value is None or value != value:
        return fmt.NA
    return f"差 {value:.1f} 个百分点" if unit == "%" else f"差 {fmt.number(value, unit)}"


def plan_tile(row, target_label: str) -> None:
    """A plan indicator: its 序时进度 light during the plan's period, 已达标 / 未达标 after it."""
    # As tall as the row's tallest card (cockpit.css gives the name two lines), so a row reads level.
    with st.container(border=True, height="stretch"):
        st.markdown(f"**{row.name}** {badge(OUTCOMES.get(row.assessment) or LIGHTS.get(row.light))}")
        st.metric("最新值", fmt.number(row.value, row.unit), label_visibility="collapsed")
        if row.ended:
            done = (f"完成 {fmt.number(row.completion, '%')}",
                    shortfall(row.shortfall, row.unit) if row.assessment == "missed" else "")
        else:  # progress from the plan's starting point, against 序时进度 (metrics.plan_status)
            done = (f"进度 {fmt.number(row.progress, '%')}", f"较序时进度 {fmt.pp(row.gap_pp)}")
        st.caption(" · ".join(filter(None, (f"{target_label} {fmt.number(row.target, row.unit, 0)}", *done))))

