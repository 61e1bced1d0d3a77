"""Upload benchmark: validate + commit of a long-layout workbook vs the bare parse of the same file.

    .venv/bin/python bench/upload_bench.py --rows 10000 100000

Writes bench/results/upload_<rows>.json. Peers (fastexcel, pandas with calamine,
openpyxl read-only) are measured in the same run when installed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from cockpit.config import Settings  # noqa: E402
from cockpit.store import Store  # noqa: E402
from cockpit.uploads import commit as C, validate as V  # noqa: E402

REGIONS = ["商丘市", "梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "永城市", "示范区"]
INDICATORS = [("社会消费品零售总额", "亿元"), ("一般公共预算收入", "亿元"), ("全社会用电量", "亿千瓦时"),
              ("进出口总额", "亿元"), ("政务服务办件量", "件"), ("全程网办办件量", "件"), ("新登记经营主体", "户"),
              ("法定传染病报告病例数", "例"), ("发热门诊就诊人次", "人次")]
HEADER = ["地区", "指标", "时期", "口径", "数值", "单位", "备注", "位次", "报送人", "联系电话"]


def make_file(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(HEADER)
    n, month = 0, 0
    while n < rows:
        y, m = divmod(2026 * 12 + 9 - month, 12)  # backwards from 2026-10
        period = f"{y:04d}-{m + 1:02d}"
        for ind, unit in INDICATORS:
            for k, reg in enumerate(REGIONS):
                for measure in ("当月", "累计"):
                    if n >= rows:
                        break
                    ws.append([reg, ind, period, measure, 50.0 + (n % 97) / 10, unit, "", k + 1, "张三", "0370-1234567"])
                    n += 1
        month += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def timed(fn, repeat: int = 1) -> float:
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        d = time.perf_counter() - t
        best = d if best is None else min(best, d)
    return round(best, 3)


def peers(data: bytes, rows: int, with_openpyxl: bool) -> dict:
    out = {}
    try:
        import fastexcel
        out["fastexcel"] = timed(lambda: fastexcel.read_excel(data).load_sheet("数据").to_pandas(), 3)
    except ImportError:
        out["fastexcel"] = None
    try:
        import pandas as pd
        import python_calamine  # noqa: F401
        out["pandas_calamine"] = timed(lambda: pd.read_excel(io.BytesIO(data), sheet_name="数据", engine="calamine"), 2)
    except ImportError:
        out["pandas_calamine"] = None
    from python_calamine import CalamineWorkbook
    out["python_calamine_to_python"] = timed(
        lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("数据").to_python(), 3)
    if with_openpyxl:
        from openpyxl import load_workbook

        def op():
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            for _ in wb["数据"].iter_rows(values_only=True):
                pass
        out["openpyxl_read_only"] = timed(op)
    return out


def ours(data: bytes) -> dict:
    with tempfile.TemporaryDirectory() as d:
        store = Store(f"sqlite:///{d}/c.db", Settings(data_dir=Path(d), demo_on_empty=False))
        store.init()
        opt = V.Options(today=dt.date(2026, 11, 26))
        t = time.perf_counter()
        checked = V.check_bytes(store, data, "bench.xlsx", opt)
        t_validate = time.perf_counter() - t
        assert checked.ok, checked.problems.summary()
        t = time.perf_counter()
        C.preview(store, checked)
        t_preview = time.perf_counter() - t
        t = time.perf_counter()
        r = C.commit(store, checked, data=data, file_name="bench.xlsx", created_by="bench")
        t_commit = time.perf_counter() - t
        assert r.status == "committed" and r.counts["new"] == len(checked.dataset("observations").frame)
        store.engine.dispose()
    return {"validate": round(t_validate, 3), "preview": round(t_preview, 3), "commit": round(t_commit, 3),
            "validate_plus_commit": round(t_validate + t_commit, 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--no-openpyxl", action="store_true")
    args = ap.parse_args()
    for rows in args.rows:
        data = make_file(rows)
        p = peers(data, rows, not args.no_openpyxl)
        o = ours(data)
        fastest = min(v for v in p.values() if v)
        result = {"rows": rows, "columns": len(HEADER), "file_bytes": len(data), "bare_parse": p, "cockpit": o,
                  "ratio_to_fastest_parse": round(o["validate_plus_commit"] / fastest, 2),
                  "machine": {"python": platform.python_version(), "machine": platform.machine()},
                  "measured": dt.datetime.now().isoformat(timespec="seconds")}
        (ROOT / "bench" / "results" / f"upload_{rows}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
