"""督查督办: the plan's 172 tasks with their latest progress, deadlines and lead units.

Pure functions over the frames the store returns (plan_tasks, task_progress), so the
page, the Excel export and the tests all count the same way.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import select

from . import periods, schema as s
from .signals import LIGHT_NAMES

NO_REPORT = "未报送"
STATUSES = ["未启动", "推进中", "已完成", "暂缓", NO_REPORT]
SOON_DAYS = 60  # "due soon": a dated deadline within this many days

# The plan spells some units two ways; a ranking must count them as one.
UNIT_ALIASES = {
    "市发改委": "市发展改革委",
    "市政府办": "市政府办公室",
    "市卫健委": "市卫生健康委",
    "市工业和信息化局": "市工信局",
    "市人力资源社会保障局": "市人社局",
    "市交通运输厅": "市交通运输局",  # a city has no 厅: the plan's typo
    "市行政审批政务信息管理局": "市行政审批和政务信息管理局",
}

# Lights: 红 overdue, 黄 due soon, 绿 on time or done (progress lights, not warning levels).

EXPORT_COLUMNS = {
    "number": "序号", "section": "部分", "section_title": "部分名称", "text": "任务内容",
    "deadline_text": "任务时限", "lead": "牵头单位", "responsible_units": "责任单位",
    "status": "最新状态", "percent": "完成进度(%)", "reported_on": "最近报送日期",
    "reporting_unit": "报送单位", "note": "进展说明", "overdue_days": "逾期天数", "overdue_for": "逾期时长",
    "light_text": "进度灯",
}


# A task's name in a select box: the plan's sentences run to 137 characters and a select shows one
# line, so a long one ends at a phrase, marked "…"; the page prints the whole name under it.
LABEL_CHARS = 32
PHRASE_ENDS = "，,；;。：:、(（"  # cut before any of these (a bracket opens a phrase)


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """`text` whole if it fits in `limit` characters, else up to the last phrase end that keeps at least
    half of them (else exactly `limit`), then "…": never "…开展关键" cut mid-word without a sign."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    ends = [i for i in range(limit, limit // 2 - 1, -1) if text[i] in PHRASE_ENDS and _closed(text[:i])]
    return (text[:ends[0]] if ends else text[:limit]) + "…"


def _closed(head: str) -> bool:
    """No bracket or quote left open: "平台(省“四保”白名单企业…" reads as a phrase broken off."""
    return (head.count("(") + head.count("（") == head.count(")") + head.count("）")
            and head.count("“") == head.count("”"))


def canonical_unit(name: str) -> str:
    name = name.strip()
    return UNIT_ALIASES.get(name, name)


def lead_list(lead_units: str) -> list[str]:
    out: list[str] = []
    for u in str(lead_units).split("|"):
        u = canonical_unit(u)
        if u and u not in out:
            out.append(u)
    return out


def board(tasks: pd.DataFrame, latest: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """One row per task: plan fields, latest progress, overdue days and the light."""
    latest = latest.drop(columns=["batch_id"], errors="ignore")
    out = tasks.merge(latest, left_on="number", right_on="task_number", how="left")
    out = out.drop(columns=["task_number"])
    out["status"] = out["status"].fillna(NO_REPORT)
    out["leads"] = out["lead_units"].map(lead_list)
    out["lead"] = out["leads"].map("、".join)
    out["deadline_text"] = out["deadline_text"].str.replace(r"\s+", "", regex=True)
    deadline = pd.to_datetime(out["deadline_date"])
    days_left = (deadline - pd.Timestamp(today)).dt.days
    done = out["status"] == "已完成"
    out["days_left"] = days_left.where(~done)
    overdue = days_left.lt(0) & ~done
    out["overdue"] = overdue
    out["overdue_days"] = (-days_left).where(overdue).astype("Int64")
    out["overdue_for"] = [overdue_text(d.date(), today) if late else None for d, late in zip(deadline, overdue)]
    out["due_soon"] = days_left.between(0, SOON_DAYS) & ~done
    out["light"] = "green"
    out.loc[out["due_soon"], "light"] = "yellow"
    out.loc[overdue, "light"] = "red"
    out["light_text"] = out["light"].map(LIGHT_NAMES)
    out["deadline_month"] = deadline.dt.strftime("%Y-%m")
    return out


def overdue_text(deadline: dt.date, today: dt.date) -> str:
    """How long ago a deadline passed, as people say it: 25 天, 11 个月, 2 年 11 个月."""
    months = (today.year - deadline.year) * 12 + today.month - deadline.month
    # A month-end deadline comes round again at this month's end (31 Dec -> 30 Nov is whole months).
    if today.day < min(deadline.day, calendar.monthrange(today.year, today.month)[1]):
        months -= 1
    if months < 1:
        return f"{(today - deadline).days} 天"
    years, months = divmod(months, 12)
    return " ".join(filter(None, (f"{years} 年" if years else "", f"{months} 个月" if months else "")))


def counts(b: pd.DataFrame) -> dict[str, int]:
    return {"total": len(b), "done": int((b.status == "已完成").sum()),
            "ongoing": int((b.status == "推进中").sum()), "overdue": int(b.overdue.sum()),
            "overdue_year": int((b.overdue_days > 365).sum()),
            "due_soon": int(b.due_soon.sum()), "no_report": int((b.status == NO_REPORT).sum()),
            "open_ended": int((b.deadline_kind != "date").sum())}


def filter_board(b: pd.DataFrame, *, sections: list[str] | None = None, unit: str | None = None,
                 statuses: list[str] | None = None, only_overdue: bool = False) -> pd.DataFrame:
    out = b
    if sections:
        out = out[out.section.isin(sections)]
    if unit:
        out = out[out.leads.map(lambda ls: unit in ls)]
    if statuses:
        out = out[out.status.isin(statuses)]
    if only_overdue:
        out = out[out.overdue]
    return out


def overdue_list(b: pd.DataFrame) -> pd.DataFrame:
    return b[b.overdue].sort_values(["overdue_days", "number"], ascending=[False, True])


def due_soon_list(b: pd.DataFrame) -> pd.DataFrame:
    return b[b.due_soon].sort_values(["days_left", "number"])


def done_list(b: pd.DataFrame) -> pd.DataFrame:
    return b[b.status == "已完成"].sort_values("number")


def units(b: pd.DataFrame) -> list[str]:
    return sorted({u for ls in b.leads for u in ls}, key=lambda u: (-sum(u in ls for ls in b.leads), u))


def unit_ranking(b: pd.DataFrame) -> pd.DataFrame:
    """红黑榜: per lead unit (a task with two leads counts for both).

    Ranked by overdue tasks (fewest first), then completion rate, then mean progress.
    """
    rows = b[["number", "leads", "status", "percent", "overdue", "overdue_days"]].explode("leads")
    rows = rows.rename(columns={"leads": "unit"})
    g = rows.groupby("unit")
    out = pd.DataFrame({
        "tasks": g.size(),
        "done": g["status"].apply(lambda s: int((s == "已完成").sum())),
        "overdue": g["overdue"].sum().astype(int),
        "max_overdue_days": g["overdue_days"].max(),
        "mean_percent": g["percent"].mean().round(1),
        "no_report": g["status"].apply(lambda s: int((s == NO_REPORT).sum())),
    }).reset_index()
    out["done_rate"] = (100 * out["done"] / out["tasks"]).round(1)
    out["overdue_rate"] = (100 * out["overdue"] / out["tasks"]).round(1)
    out = out.sort_values(["overdue_rate", "done_rate", "mean_percent", "tasks", "unit"],
                          ascending=[True, False, False, False, True], ignore_index=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def timeline(b: pd.DataFrame) -> pd.DataFrame:
    """Dated tasks per deadline month and status (for the stacked timeline)."""
    dated = b[b.deadline_month.notna()]
    label = dated.light.map({"red": "已逾期", "yellow": "即将到期", "green": "按期"})
    label = label.where(dated.status != "已完成", "已完成")
    out = dated.assign(group=label).groupby(["deadline_month", "group"]).size().rename("tasks").reset_index()
    out["month_end"] = out.deadline_month.map(lambda m: periods.month_end(m))
    return out


def history(progress: pd.DataFrame, number: int) -> pd.DataFrame:
    h = progress[progress.task_number == number].sort_values("reported_on")
    return h[["reported_on", "status", "percent", "reporting_unit", "note"]].reset_index(drop=True)


def export_frame(b: pd.DataFrame) -> pd.DataFrame:
    return b[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


# ---- queries --------------------------------------------------------------------
def progress_history(store) -> pd.DataFrame:
    """Every active progress report (a few per task and quarter: small)."""
    tp = s.task_progress.c
    return store.frame(select(tp.task_number, tp.reported_on, tp.status, tp.percent, tp.note,
                              tp.reporting_unit).where(tp.active.is_(True))
                       .order_by(tp.task_number, tp.reported_on, tp.id))
