"""督查督办 on the wall: the 172 tasks at a glance, what is late and whose, the unit red and black lists."""
from __future__ import annotations

import pandas as pd

from cockpit import charts, fmt, tasks
from cockpit.auth import View

from ... import state, task_panels as tp
from ..model import Board, Panel, Row, Tile

TEXT = 34  # characters of a task's text on a row (the rest is on the 督查督办 page)


def load(v: View) -> Board:
    today = state.today()
    p = state.plan()
    ended = p.ended(today)
    b = tp.board(v, today)
    n = tasks.counts(b)
    reported = b.reported_on.dropna()
    stamp = f"{fmt.day(pd.Timestamp(reported.max()))}报送" if len(reported) else "尚无报送"
    done = f"{100 * n['done'] / n['total']:.1f}%" if n["total"] else "—"
    tiles = [Tile("重点任务", str(n["total"]), "项"), Tile("已完成", str(n["done"]), "项", f"完成率 {done}", "good"),
             Tile("推进中", str(n["ongoing"]), "项"),
             Tile("已逾期未完成", str(n["overdue"]), "项", "时限已过、最近报送未完成", "bad" if n["overdue"] else ""),
             # After the plan's period no deadline is ahead: how long the late ones are late matters.
             Tile("逾期一年以上", str(n["overdue_year"]), "项", "时限已过一年以上仍未完成", "bad" if n["overdue_year"] else "") if ended
             else Tile(f"{tasks.SOON_DAYS} 日内到期", str(n["due_soon"]), "项"),
             Tile("持续推进/适时推进", str(n["open_ended"]), "项", "无明确时限，不计逾期")]
    rank = tasks.unit_ranking(b)
    return Board("tasks", stamp, tiles,
                 {"main": timeline(b, stamp), "left": late(b), "right": red_list(rank), "side": black_list(rank)},
                 caliber=f"口径：{tp.CALIBER.format(p.caliber)} · 来源：{tp.SOURCE}")


def _short(text: str) -> str:
    return text if len(text) <= TEXT else text[:TEXT] + "…"


def timeline(b: pd.DataFrame, stamp: str) -> Panel:
    chart = charts.task_timeline(tasks.timeline(b), title="重点任务到期时间轴（按任务时限月份）",
                                 caliber="有明确时限的任务，按最近一次报送状态分组", source=tp.SOURCE, as_of=stamp)
    return Panel("到期时间轴", chart=chart)


def late(b: pd.DataFrame) -> Panel:
    rows = [Row(f"任务 {r.number} · 逾期 {int(r.overdue_days)} 天"
                + (f" · 进度 {r.percent:.0f}%" if pd.notna(r.percent) else ""), f"{r.lead}：{_short(r.text)}", light="red")
            for r in tasks.overdue_list(b).itertuples()]
    return Panel(f"逾期未完成任务（{len(rows)} 项）", rows=rows, message="" if rows else "没有逾期未完成的任务")


def red_list(rank: pd.DataFrame) -> Panel:
    red = rank[rank.overdue == 0]
    rows = [Row(r.unit, f"牵头 {r.tasks} 项 · 完成率 {r.done_rate:.1f}% · 平均进度 {r.mean_percent:.1f}%", light="green")
            for r in red.itertuples()]
    return Panel(f"红榜：无逾期、完成率最高（{len(rows)} 个单位）", rows=rows, message="" if rows else "暂无")


def black_list(rank: pd.DataFrame) -> Panel:
    black = rank[rank.overdue > 0].sort_values(["overdue", "max_overdue_days", "overdue_rate"], ascending=False)
    rows = [Row(r.unit, f"逾期未完成 {r.overdue} 项 · 最长 {int(r.max_overdue_days)} 天 · 完成率 {r.done_rate:.1f}%",
                light="red") for r in black.itertuples()]
    return Panel(f"黑榜：逾期未完成最多（{len(rows)} 个单位）", rows=rows, message="" if rows else "没有单位有逾期未完成的任务")
