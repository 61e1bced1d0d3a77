"""The briefing's 12345 page: every figure counted again here from the tickets themselves (not from
the daily aggregate the page reads), for the city, a county, a month still running, the month the
tickets begin in and a month before them."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import select

from cockpit import fmt, schema as s
from cockpit.auth import Scope
from cockpit.briefing import content, hotline_page, sections
from cockpit.catalog import CITY
from cockpit.store import Store
from tests.conftest import DEMO_END

TODAY = dt.date(2026, 11, 20)
YONGCHENG = "411481"


@pytest.fixture(scope="module")
def tickets(demo_store) -> pd.DataFrame:
    t = s.hotline_tickets.c
    f = demo_store.frame(select(t.created_at, t.region_code, t.category, t.due_at, t.closed_at, t.satisfaction))
    for col in ("created_at", "due_at", "closed_at"):
        f[col] = pd.to_datetime(f[col])
    return f


def _month(tickets: pd.DataFrame, start: str, stop: str, region: str | None = None) -> pd.DataFrame:
    got = tickets[(tickets.created_at >= start) & (tickets.created_at < stop)]
    return got if region is None else got[got.region_code == region]


def _page(pack: content.Pack) -> content.TableSection:
    return next(t for t in pack.tables if t.title.startswith("12345热线受理情况"))


def _figures(month: pd.DataFrame, now: pd.Timestamp) -> dict[str, str]:
    n = len(month)
    closed = int(month.closed_at.notna().sum())
    surveyed = int(month.satisfaction.notna().sum())
    satisfied = int(month.satisfaction.isin(["满意", "基本满意"]).sum())
    late = int(((month.closed_at > month.due_at) | (month.closed_at.isna() & (month.due_at < now))).sum())
    return {"受理": f"受理工单{n:,}件", "办结": f"已办结{closed:,}件，办结率{100 * closed / n:.1f}%",
            "满意": f"回访{surveyed:,}件，满意率{100 * satisfied / surveyed:.1f}%",
            "超期": f"超期{late:,}件，占{100 * late / n:.1f}%"}


@pytest.mark.parametrize("scope, region, place", [(content.EVERYTHING, None, "全市"),
                                                  (Scope.of([YONGCHENG]), YONGCHENG, "永城市")])
def test_the_12345_page_says_the_months_tickets_as_counted_from_the_tickets(demo_store, tickets, scope, region, place):
    pack = content.build(demo_store, DEMO_END, scope=scope, today=TODAY)
    page = _page(pack)
    now = pd.Timestamp(tickets.created_at.max().date() + dt.timedelta(days=1))  # midnight after the newest ticket
    october = _month(tickets, "2026-10-01", "2026-11-01", region)
    last_year = _month(tickets, "2025-10-01", "2025-11-01", region)
    assert page.title == "12345热线受理情况（2026年10月）"
    assert page.text.startswith(f"2026年10月，{place}12345热线受理工单{len(october):,}件，比上年同期")
    change = (len(october) / len(last_year) - 1) * 100
    assert f"{'增长' if change > 0 else '下降'}{abs(change):.1f}%（上年同期{len(last_year):,}件）" in page.text
    for said in _figures(october, now).values():
        assert said in page.text, (said, page.text)
    # The table: each category's count and last year's, the rest in one row, and the column adds up.
    frame = page.frame.set_index("诉求类别")
    counts = october.category.value_counts()
    named = frame.drop(index=[i for i in frame.index if i.startswith(("其他类别", "合计"))])
    assert len(named) == min(10, len(counts))
    for cat, row in named.iterrows():
        assert row["受理量（件）"] == counts[cat]
        assert row["上年同期（件）"] == int((last_year.category == cat).sum())
    assert list(named["受理量（件）"]) == sorted(named["受理量（件）"], reverse=True)
    assert frame.loc["合计", "受理量（件）"] == len(october) == frame["受理量（件）"].sum() - len(october)
    assert frame.loc["合计", "上年同期（件）"] == len(last_year)
    shown = sections.texts(page.frame)  # as the slide and the PDF print it: one decimal in a % column
    assert shown["占比（%）"].str.fullmatch(r"\d+\.\d").all() and shown.loc[len(shown) - 1, "占比（%）"] == "100.0"
    assert shown["受理量（件）"].str.fullmatch(r"\d{1,3}(,\d{3})*").all()
    top = counts.sort_values(ascending=False, kind="stable").index[0]
    assert f"受理量居前三位的诉求类别是{top}（{counts[top]:,}件" in page.text
    # Its footer says the tickets' time, not the economy's 口径：累计 and month.
    assert pack.footer("", page.as_of) == (f"地区：{pack.region_name}　时期：2026年10月　数据截至：{page.as_of}"
                                          "　【演示数据，非商丘市实际数据】")
    assert page.as_of == f"{fmt.minute(_month(tickets, '2000-01-01', '2100-01-01', region).created_at.max())}（最新工单）"


def test_a_month_still_running_is_counted_to_the_newest_ticket_and_against_the_same_days(demo_store, tickets):
    last = tickets.created_at.max()
    month = f"{last:%Y-%m}"
    pack = content.build(demo_store, month, today=last.date())
    page = _page(pack)
    stop = (last + pd.Timedelta(days=1)).normalize()
    now = _month(tickets, f"{month}-01", str(stop))
    before = _month(tickets, f"{last.year - 1}-{last:%m}-01", str(stop - pd.DateOffset(years=1)))
    label = f"{last.year}年{last.month}月1—{last.day}日"
    assert page.title == f"12345热线受理情况（{label}）"
    assert page.text.startswith(f"{label}，全市12345热线受理工单{len(now):,}件")
    assert f"上年同期{len(before):,}件" in page.text


def test_the_first_month_of_tickets_says_where_they_begin_and_has_no_yoy(demo_store, tickets):
    first = tickets.created_at.min()
    month = f"{first:%Y-%m}"
    page, why = hotline_page.section(demo_store, month, CITY, "全市")
    assert why == ""
    n = len(_month(tickets, f"{month}-01", str((first + pd.DateOffset(months=1)).replace(day=1).normalize())))
    assert page.text.startswith(f"{first.year}年{first.month}月（工单数据自{first.day}日起），全市12345热线受理工单{n:,}件"
                                "（上年同期无工单数据，不计同比）")
    assert page.frame["同比（%）"].isna().all() and page.frame["上年同期（件）"].isna().all()


def test_a_month_before_the_tickets_has_no_page_and_the_title_page_says_why(demo_copy, tickets):
    store = Store(demo_copy)
    first = tickets.created_at.min()
    month = f"{first.year - 1}-{first:%m}"
    page, why = hotline_page.section(store, month, CITY, "全市")
    assert page is None
    assert why == (f"全市12345工单受理于{fmt.day(first)}至{fmt.day(tickets.created_at.max())}，"
                   f"{first.year - 1}年{first.month}月没有工单数据，本简报不含热线部分。")
    with store.engine.begin() as conn:  # a store with no tickets at all
        conn.execute(s.hotline_daily.delete())
        conn.execute(s.hotline_tickets.delete())
    pack = content.build(store, DEMO_END, today=TODAY)
    assert not any(t.title.startswith("12345") for t in pack.tables)
    assert "库中尚无全市的12345工单数据，本简报不含热线部分。" in pack.notes


def test_the_sentence_names_one_or_two_categories_as_a_bulletin_would():
    frame = pd.DataFrame({"诉求类别": ["供暖", "合计"], "受理量（件）": [3.0, 3.0], "占比（%）": [100.0, 100.0]})
    cur = {"received": 3, "closed": 3, "closed_rate": 100.0, "surveyed": 0, "satisfied_rate": None,
           "overdue": 0, "overdue_rate": 0.0}
    text = hotline_page.sentence("2026年10月", "虞城县", cur, 3, frame)
    assert text == ("2026年10月，虞城县12345热线受理工单3件，与上年同期持平；已办结3件，办结率100.0%；超期0件，占0.0%。"
                    "受理量最多的诉求类别是供暖（3件，占100.0%）。")
    assert "满意率" not in text  # nobody called back: no rate of nothing
    assert re.search(r"上年同期无工单", hotline_page.sentence("2026年10月", "虞城县", cur, 0, frame))
