"""The wall display: a dark fixed canvas that refreshes in place, rotates its boards and outlives
an outage of the store (docs/architecture.md, "A wall display").

One fragment with a run interval redraws the canvas: it moves the carousel on, loads the board
through the cached loaders (a new data version reloads it, anything else is a cache hit), and
draws it. A load that fails leaves the last good board on screen under a staleness badge; the
session keeps one loaded board per name for that.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from html import escape

import streamlit as st

from cockpit import city
from cockpit.auth import View
from cockpit.config import settings

from .. import state
from ..widgets import ASSETS
from . import probe, render
from .boards import BOARDS, BY_PAGE, parts
from .carousel import Carousel
from .model import Board

log = logging.getLogger("cockpit.ui.screen")
TITLE = city.TITLE


def requested(url_path: str | None = None) -> bool:
    """?screen=1, on a page that has a board (or, before the page is known, on any)."""
    return st.query_params.get("screen") == "1" and (url_path is None or url_path in BY_PAGE)


def run(url_path: str) -> None:
    """The wall for the page at `url_path`: its board first, then the carousel."""
    start = BY_PAGE[url_path]
    cfg = settings()
    st.set_page_config(page_title=f"{TITLE} · 大屏", initial_sidebar_state="collapsed")
    st.html(f"<style>{(ASSETS / 'screen.css').read_text(encoding='utf-8')}</style>")
    viewport = probe.viewport(cfg.screen_reload_at)
    car = st.session_state.get("wall_carousel")
    if car is None or st.session_state.get("wall_start") != start:
        car = Carousel.starting_at(start, cfg.screen_boards, cfg.screen_carousel_seconds, time.time())
        st.session_state.update(wall_carousel=car, wall_start=start)
    every = min(cfg.screen_refresh_seconds, cfg.screen_carousel_seconds) if car.rotates else cfg.screen_refresh_seconds
    st.fragment(_canvas, run_every=every)(viewport)


def outage(exc: Exception) -> None:
    """The store failed before the page could run (a reconnect, a reload). A wall this session has
    shown keeps showing its last good figures; the login is checked again once the store is back.
    Anyone else reads the one calm database message, never the login form."""
    start = st.session_state.get("wall_start")
    if start is None or st.session_state.get("viewer") is None:
        state.database_down(exc)
        return
    log.error("wall display: database unavailable, showing the last good figures: %s", exc)
    st.session_state["wall_unverified"] = True
    run(BOARDS[start].url_path)


# ---- one refresh -----------------------------------------------------------------------------
def _canvas(viewport: tuple[int, int]) -> None:
    car: Carousel = st.session_state["wall_carousel"]
    name = car.tick(time.time())
    board, shown_at, down_since = _fetch(name, viewport)
    if down_since is None and st.session_state.pop("wall_unverified", False):
        st.rerun(scope="app")  # the store is back: run the login gate again before showing more
    tick = st.session_state["wall_tick"] = st.session_state.get("wall_tick", 0) + 1
    with st.container(key="wall"):
        with st.container(key="wall-head", horizontal=True, vertical_alignment="center", gap="small"):
            st.html(_header(board, name, shown_at, down_since, tick))
            if car.rotates:
                _controls(car)
        if board is None:  # the store failed before this board was ever loaded
            with st.container(key="wall-main"):
                st.html("<div class='wall-message'>数据库暂时无法连接，本屏尚无可显示的数据；"
                        "连接恢复后自动显示，无需操作。</div>")
        else:
            render.body(board, st.session_state.get("wall_alarms", []))
        render.footer(board, _status(car))
    if down_since is None:
        _prefetch(car, viewport)


@st.cache_resource(show_spinner=False, max_entries=32)
def prepared(name: str, v: View, stamp: str, viewport: tuple[int, int]) -> Board:
    """A board loaded and styled for a screen size, shared by every wall of this server and never
    changed once made: a refresh with no new data (the same data version, minute or day) costs one
    query, however long the board took to compute."""
    spec = BOARDS[name]
    board = spec.load(v)
    board.demo = bool(state.demo_datasets(v) & spec.datasets)
    render.prepare(board, viewport)
    return board


def _stamp(name: str) -> str:
    """What besides the data a board depends on: the minute (应急指挥's durations) or the day."""
    return parts.clock().isoformat() if BOARDS[name].by_minute else state.today().isoformat()


def _fetch(name: str, viewport) -> tuple[Board | None, dt.datetime | None, dt.datetime | None]:
    """The board, when its figures were last read, and since when the store fails (None: it does
    not). A failed read leaves the last good board and banner in place; the log has the reason."""
    good = st.session_state.setdefault("wall_good", {})
    now = dt.datetime.now().replace(microsecond=0)
    try:
        v = state.view()
        board = prepared(name, v, _stamp(name), viewport)
        st.session_state["wall_alarms"] = parts.alarms(v, parts.clock())
    except Exception as exc:
        if isinstance(exc, state.DATABASE_DOWN):
            log.warning("wall display: database unavailable: %s", exc)
        else:
            log.exception("wall display: board %s failed to load", name)
        since = st.session_state.setdefault("wall_down_since", now)
        board, shown_at = good.get(name, (None, None))
        return board, shown_at, since
    st.session_state.pop("wall_down_since", None)
    good[name] = (board, now)
    return board, now, None


def _prefetch(car: Carousel, viewport) -> None:
    """Load one board of the rotation not yet shown, so that an outage finds every board with
    figures to keep (one per refresh: the first paint stays quick)."""
    good = st.session_state["wall_good"]
    missing = [b for b in car.boards if b not in good]
    if missing:
        try:
            good[missing[0]] = (prepared(missing[0], state.view(), _stamp(missing[0]), viewport),
                                dt.datetime.now().replace(microsecond=0))
        except Exception:
            log.exception("wall display: board %s failed to load ahead", missing[0])


# ---- the header --------------------------------------------------------------------------------
def _header(board: Board | None, name: str, shown_at, down_since, tick: int) -> str:
    badges = "<span class='wall-badge demo'>演示数据</span>" if board is not None and board.demo else ""
    if down_since is not None:
        shown = f"，显示 {shown_at:%H:%M:%S} 的数据" if board is not None else ""
        badges += f"<span class='wall-badge wall-stale'>数据更新中断 · 自 {down_since:%m-%d %H:%M:%S} 起{shown}</span>"
    meta = "" if board is None else (f"<span class='wh-asof'>数据截至：{escape(board.as_of)}</span>"
                                     f"<span class='wh-updated'>更新于 {shown_at:%H:%M:%S}</span>")
    return (f"<div class='wall-head' data-tick='{tick}' data-board='{name}'>"
            f"<div class='wh-title'>{TITLE}<span class='wh-board'>{escape(BOARDS[name].title)}</span></div>"
            f"{badges}<div class='wh-meta'>{meta}</div></div>")


def _status(car: Carousel) -> str:
    if not car.rotates:
        return ""
    turn = "已暂停，按空格键或点“继续”恢复" if car.paused else f"每 {car.interval:g} 秒切换，按空格键或点“暂停”可暂停"
    return f"轮播 {car.index + 1}/{len(car.boards)} · {turn} · ←/→ 换屏"


def _controls(car: Carousel) -> None:
    """Pause and turn: a click on the buttons, or the keys they name (Space, ←, →)."""
    st.button("上一屏 ←", key="wall-prev", shortcut="Left", on_click=lambda: car.step(-1, time.time()))
    st.button("继续 ▶" if car.paused else "暂停 ❚❚", key="wall-pause", shortcut="Space",
              on_click=lambda: car.toggle(time.time()))
    st.button("下一屏 →", key="wall-next", shortcut="Right", on_click=lambda: car.step(1, time.time()))
