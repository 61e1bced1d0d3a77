"""The typical monthly workbook, upload to preview: must stay under 0.5 s (issue 9).

    .venv/bin/python bench/upload_monthly.py [--runs 20]

A 统计月报 of 50 rows as a county statistics office sends it (a city sheet with every economic
indicator, 分县区 sheets for three indicators whose 全市 rows repeat the city's figures, 位次,
footnotes, an indicator the catalogue lacks) is checked through service.uploads.check_file, the
door the page and the command line share: read + check + preview in the warm memory-capped
child. The demo store is the one a city starts with. Writes bench/results/upload_monthly.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from cockpit.uploads import validate as V  # noqa: E402

COUNTIES = ["全　市", "梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "永城市", "示范区"]


def make_book() -> tuple[bytes, int]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "全市"
    ws.append(["商丘市主要经济指标（2026年1—10月）"])
    ws.append(["单位：亿元、%", None, None, None, None, "填报日期：2026年11月8日"])
    ws.append(["指标名称", "10月", None, "1—10月", None, "位次"])
    ws.append([None, "绝对值", "同比增长（%）", "绝对值", "同比增长（%）", None])
    ws.merge_cells("B3:C3")
    ws.merge_cells("D3:E3")
    names = ["社会消费品零售总额", "规模以上工业增加值", "固定资产投资", "一般公共预算收入", "　其中：税收收入",
             "全社会用电量", "进出口总额", "城镇调查失业率", "居民消费价格指数（上年同月=100）", "空气质量优良天数比例",
             "PM2.5平均浓度", "政务服务办件量", "全程网办办件量", "新登记经营主体", "实有经营主体", "法定传染病报告病例数",
             "发热门诊就诊人次"]
    rates = {"城镇调查失业率": [5.1, "—", "—", "—"], "居民消费价格指数（上年同月=100）": [100.8, "—", "—", "—"],
             "空气质量优良天数比例": [85.2, "—", 70.1, "—"], "PM2.5平均浓度": [31.0, "—", 45.2, "—"]}
    for i, name in enumerate(names):
        ws.append([name, *rates.get(name, [10 + i, 3.1, 100 + i, 2.5]), i % 5 + 1])
    ws.append(["注：“—”表示无数据。"])
    rows = len(names)
    for indicator in ("社会消费品零售总额", "一般公共预算收入", "全社会用电量"):
        sh = wb.create_sheet(indicator[:6])
        sh.append([f"各县（市、区）{indicator}（2026年1—10月）"])
        sh.append(["县（市、区）", "1—10月", "增速", "位次"])
        for k, name in enumerate(COUNTIES):
            city = 100 + names.index(indicator)  # the 全市 row repeats the city sheet's figure
            sh.append([name, city if k == 0 else 9 + k, 2.5 if k == 0 else 1 + k / 10, "—" if k in (0, 10) else 10 - k])
        rows += len(COUNTIES)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    from cockpit.bootstrap import load_demo
    from service.sandbox import Sandbox
    from service.uploads import PRELOAD, check_file
    tmp = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{tmp / 'cockpit.db'}", Settings(data_dir=tmp, demo_on_empty=False))
    store.init()
    load_demo(store, tickets=2000, end="2026-10")
    data, rows = make_book()
    options = V.Options(today=dt.date(2026, 11, 26))
    box = Sandbox(preload=PRELOAD)
    try:
        checked, pv = check_file(store, data, "月报.xlsx", options, box=box)  # warms the child: imports, store
        assert checked.ok, checked.problems.frame().to_string()
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            checked, pv = check_file(store, data, "月报.xlsx", options, box=box)
            times.append(time.perf_counter() - t)
    finally:
        box.close()
    result = {"rows": rows, "bytes": len(data), "figures": len(checked.dataset("observations").frame),
              "not_imported": len(checked.problems.skipped), "runs": args.runs,
              "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
              "min_s": round(min(times), 3), "goal_s": 0.5, "machine": platform.machine(),
              "python": platform.python_version(), "date": dt.date.today().isoformat()}
    out = ROOT / "bench" / "results" / "upload_monthly.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
