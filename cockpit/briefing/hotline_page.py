"""The briefing's 12345 page: the month's tickets of the pack's region, against the same days a year
before, by category. The counts are the 社情民意 page's (cockpit.hotline, its daily aggregate), so
a figure in the pack is the figure on the screen for the same month and region.
"""
from __future__ import annotations


import pandas as pd

from .. import fmt, hotline, periods
from .sections import TableSection

TOP = 10  # categories named one by one; the rest are one row, so the column adds up to 合计
OTHERS, TOTAL = "其他类别", "合计"


def section(store, month: str, region, place: str) -> tuple[TableSection | None, str]:
    """The page, or None and why not (said on the title page). `region`: what the queries filter on
    (a county code, the city, or a scope's set of counties); `place`: its name in the sentence."""
    first, last = hotline.span(store, region)
    if last is None:
        return None, f"库中尚无{place}的12345工单数据，本简报不含热线部分。"
    end = hotline.anchor_end(last)
    w = hotline.month_window(month, end)
    if not first < w.stop <= end:
        return None, (f"{place}12345工单受理于{fmt.day(first)}至{fmt.day(last)}，{periods.label(month)}"
                      "没有工单数据，本简报不含热线部分。")
    label = periods.label(month) + ("" if w.stop.date() > periods.month_end(month) else f"1—{w.stop.day - 1}日")
    if first > w.start:  # the tickets begin within the month: its count is of those days only
        label += f"（工单数据自{first.day}日起）"
    ly = hotline.same_window_last_year(w)
    has_ly = hotline.reaches_back(first, ly)
    cur = hotline.summary(store, w, end, region)
    before = hotline.summary(store, ly, end, region)["received"] if has_ly else None
    frame = _categories(store, w, ly if has_ly else None, region)
    as_of = f"{fmt.minute(last)}（最新工单）"
    return TableSection(f"12345热线受理情况（{label.split('（')[0]}）", sentence(label, place, cur, before, frame), frame,
                        f"口径：按工单受理时间统计，同比为与上年同期同日数比；办结、回访和超期截至最新工单当日"
                        f"　来源：{hotline.SOURCE}", as_of), ""


def _categories(store, w: hotline.Window, ly: hotline.Window | None, region) -> pd.DataFrame:
    """The TOP categories by count, the rest as one row, and the total: each count column adds up."""
    now = hotline.counts_by(store, w, ("category",), region).set_index("category")["tickets"]
    before = (hotline.counts_by(store, ly, ("category",), region).set_index("category")["tickets"]
              if ly is not None else pd.Series(dtype="int64"))
    now = now.sort_values(ascending=False, kind="stable")
    top, rest = now.iloc[:TOP], now.iloc[TOP:]
    rows = [(name, int(n), before.get(name, 0)) for name, n in top.items()]
    if len(rest):
        rows.append((f"{OTHERS}（{len(rest)}类）", int(rest.sum()), int(before.reindex(rest.index).fillna(0).sum())))
    rows.append((TOTAL, int(now.sum()), int(before.sum())))
    f = pd.DataFrame(rows, columns=["诉求类别", "受理量（件）", "上年同期（件）"])
    total = max(int(now.sum()), 1)
    f.insert(2, "占比（%）", (100 * f["受理量（件）"] / total).round(1))
    if ly is None:
        f["上年同期（件）"] = float("nan")
    f["同比（%）"] = hotline.pct(f["受理量（件）"], f["上年同期（件）"])
    counts = ["受理量（件）", "上年同期（件）"]
    f[counts] = f[counts].astype("float")  # printed with thousands separators, as the other tables
    return f


def sentence(label: str, place: str, cur: dict, before: int | None, frame: pd.DataFrame) -> str:
    """"2026年10月，全市12345热线受理工单12,345件，同比增长5.2%；办结率…". Only figures of the table
    and the 社情民意 page's tiles."""
    n = cur["received"]
    text = f"{label}，{place}12345热线受理工单{n:,}件"
    if before is None:
        text += "（上年同期无工单数据，不计同比）"
    elif before == 0:
        text += "，上年同期无工单"
    else:
        change = (n / before - 1) * 100
        text += ("，与上年同期持平" if round(change, 1) == 0 else
                 f"，比上年同期{'增长' if change > 0 else '下降'}{abs(change):.1f}%（上年同期{before:,}件）")
    if not n:
        return text + "。"
    text += f"；已办结{cur['closed']:,}件，办结率{fmt.number(cur['closed_rate'], '%')}"
    if cur["surveyed"]:
        text += f"；回访{cur['surveyed']:,}件，满意率{fmt.number(cur['satisfied_rate'], '%')}"
    text += f"；超期{cur['overdue']:,}件，占{fmt.number(cur['overdue_rate'], '%')}。"
    named = frame[~frame["诉求类别"].str.startswith((OTHERS, TOTAL))].head(3)
    parts = [f"{r['诉求类别']}（{int(r['受理量（件）']):,}件，占{r['占比（%）']:.1f}%）" for _, r in named.iterrows()]
    lead = "受理量最多的诉求类别是" if len(parts) == 1 else f"受理量居前{'两三'[len(parts) - 2]}位的诉求类别是"
    return text + lead + "、".join(parts) + "。"
