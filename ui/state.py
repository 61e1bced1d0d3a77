"""The process-wide store and cached loaders keyed on the data version."""
from __future__ import annotations

import datetime as dt
import logging
import threading

import pandas as pd
import streamlit as st

from sqlalchemy.exc import InterfaceError, OperationalError

from cockpit import alert_store, auth, catalog, emergency, hotline, rule_config
from cockpit.auth import View
from cockpit.catalog import CITY
from cockpit.store import Store, StoreUnavailable
from service import bootstrap

# What a database that is down or unreachable raises, wherever a page first touches it.
DATABASE_DOWN = (OperationalError, InterfaceError, StoreUnavailable)

_lock = threading.Lock()
log = logging.getLogger(__name__)
# Set once a page has run to its end (app.py): the web server's warm-up then imports the other
# pages' modules, which would otherwise compete with the first page for the interpreter.
FIRST_PAGE_DONE = threading.Event()


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return Store()


def database_down(exc: Exception) -> None:
    """The whole screen when the store cannot be reached: one calm message, details in the log."""
    log.error("database unavailable: %s", exc)
    st.error("数据库暂时无法连接，驾驶舱无法显示数据。已记录错误日志；请稍后刷新，或请管理员检查数据库服务。",
             icon=":material/cloud_off:")


def store() -> Store:
    """The store, migrated and (on first run) filled with demo data, with visible progress."""
    s = _store()
    if not getattr(s, "prepared", False):
        with _lock:  # concurrent first visitors wait for one preparation
            if getattr(s, "prepared", False):
                return s
            if not bootstrap.needs_setup(s):
                s.init()  # refresh the shipped catalogue quietly
            else:
                with st.status("首次启动：正在准备数据库…", expanded=True) as status:
                    bar = st.progress(0.0)
                    loaded = bootstrap.prepare(s, progress=lambda f, t: bar.progress(min(f, 1.0), text=t))
                    status.update(label="已载入演示数据" if loaded else "数据库已就绪", state="complete",
                                  expanded=False)
            bootstrap.catch_up(s)  # a first run's warning rules: evaluated behind the first page
            s.prepared = True
    return s


def rules() -> dict:
    """The warning-rule settings in force: rules.toml with this deployment's overrides. The pages
    read their thresholds here, so they flag what the rules flag."""
    return rule_config.load(store().cfg)


def plan() -> catalog.Plan:
    """The plan in force: its title, period and targets (data/plan/plan.toml, setting plan_dir)."""
    return catalog.load_plan(store().cfg.plan_dir)


def view() -> View:
    """Pass this to every loader: the data version through the viewer's scope (see View)."""
    return View(store().data_version(), st.session_state.get("scope", auth.EVERYTHING))


def home_region(v: View) -> str:
    """The region a viewer starts from: the city, or their own county."""
    codes = v.scope.codes
    return codes[0] if codes and len(codes) == 1 else CITY


@st.cache_data(show_spinner=False, max_entries=8)
def indicators(v: View) -> pd.DataFrame:
    return store().indicators()


@st.cache_data(show_spinner=False, max_entries=8)
def regions(v: View) -> pd.DataFrame:
    return store().regions(v.scope.regions)


@st.cache_data(show_spinner=False, max_entries=32)
def observations(v: View, codes: tuple[str, ...] | None = None,
                 since: str | None = None) -> pd.DataFrame:
    return store().observations(indicators=codes, since=since, regions=v.scope.regions)


@st.cache_data(show_spinner=False, max_entries=8)
def alerts(v: View, states: tuple[str, ...] = ("firing",)) -> pd.DataFrame:
    return alert_store.alerts(store(), states, regions=v.scope.regions)


@st.cache_data(show_spinner=False, max_entries=8)
def demo_datasets(v: View) -> set[str]:
    return store().demo_datasets()


def today() -> dt.date:
    return dt.date.today()


@st.cache_data(show_spinner=False, max_entries=8)
def hotline_recent(v: View, days: int = 30) -> tuple[pd.DataFrame, dict, dict, dt.datetime | None]:
    """Daily volume over `days`, this week's and last week's summary, anchored on the newest
    ticket the viewer may see."""
    regions = v.scope.regions
    _, last = hotline.span(store(), regions)
    if last is None:
        return pd.DataFrame(columns=["day", "tickets"]), {}, {}, None
    end = hotline.anchor_end(last)
    week = hotline.last_days(end, 7)
    daily = hotline.volume(store(), [end - dt.timedelta(days=i) for i in range(days, -1, -1)], regions)
    return (daily.rename(columns={"start": "day"}), hotline.summary(store(), week, end, regions),
            hotline.summary(store(), hotline.previous_window(week), end, regions), last)


@st.cache_data(show_spinner=False, max_entries=8)
def open_events(v: View) -> pd.DataFrame:
    return emergency.open_events(store(), v.scope.regions)
