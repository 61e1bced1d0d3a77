"""What a leader and a clerk read, in AppTest on the demo data: codes said in words, no internal
file paths, the 红榜 red and the 黑榜 black, a county map with names and a key."""
from __future__ import annotations

import json
import re

import pandas as pd

from cockpit import schema as s
from cockpit.store import Store
from tests.conftest import copy_db, open_app, shown_cells, table_element

LATIN = re.compile(r"[A-Za-z]{2,}")


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "text", "error", "success", "info", "warning", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_the_audit_log_says_who_did_what_in_words_and_keeps_the_codes_stored(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/admin.py")
    element = table_element(at, "操作人", "动作", "对象")
    shown = shown_cells(element)
    stored = Store(demo_db).frame(s.audit_log.select())
    assert set(stored.actor) == {"system"} and set(stored.action) == {"import"}  # the codes stay as they were
    assert set(shown["操作人"]) == {"系统"} and set(shown["动作"]) == {"导入数据"}
    assert shown["对象"].iloc[0] == f"批次 #{stored.target.str.removeprefix('batch:').astype(int).max()}"
    assert "演示数据：值班表" in " ".join(shown["详情"])
    words = [w for cell in shown.drop(columns=["时间"]).to_numpy().ravel() for w in LATIN.findall(str(cell))]
    assert words == []
    assert len(element.value) == len(stored)  # as many rows as entries: no empty placeholder rows


def test_the_warning_history_says_the_system_in_words(demo_db, monkeypatch, tmp_path):
    at = open_app(monkeypatch, copy_db(demo_db, tmp_path / "w.db"), "pages/warnings.py")
    history = shown_cells(table_element(at, "经办", "状态", "说明"))
    assert len(history) and set(history["经办"]) == {"系统"}


def test_the_warning_centre_names_no_internal_file(demo_db, monkeypatch, tmp_path):
    at = open_app(monkeypatch, copy_db(demo_db, tmp_path / "w.db"), "pages/warnings.py")
    said = _texts(at) + "\n".join(str(t.value.to_numpy()) for t in at.table)
    for internal in ("data/", "targets.csv", "rules.toml", "rules.local.toml", str(tmp_path)):
        assert internal not in said
    assert "本系统的数据目录" in said  # where an admin's rule changes are kept, said in words


def test_the_honour_list_is_red_and_the_black_list_black(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db, "pages/tasks.py")
    said = [m.value for m in at.markdown]
    assert any(m.startswith(":red-badge[红榜]") for m in said)
    assert any(m.startswith(":gray-badge[黑榜]") for m in said)
    assert not any(":green-badge[红榜]" in m for m in said)


def test_the_county_map_names_every_county_and_has_a_key(demo_db, monkeypatch):
    at = open_app(monkeypatch, demo_db)
    assert not at.get("deck_gl_json_chart")  # shapes, not WebGL: the first page of every leader
    fig = next(f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
               if "各县区社会消费品零售总额" in f["layout"]["title"]["text"])
    written = {re.sub(r"</?b>", "", t) for tr in fig["data"] if tr.get("mode") == "text" for t in tr["text"]}
    assert written == {"梁园区", "睢阳区", "民权县", "睢县", "宁陵县", "柘城县", "虞城县", "夏邑县", "永城市"}
    shapes = [tr for tr in fig["data"] if tr.get("fill") == "toself"]
    assert len(shapes) == 9 and all(re.fullmatch(r".+：[\d,.]+ 亿元", tr["text"]) for tr in shapes)  # the hover
    assert len({tr["fillcolor"] for tr in shapes}) >= 3  # darker is more: several shades
    # the key is in the figure, so a downloaded picture carries it
    [legend] = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("图例")]
    assert legend.count("■") == 5 and "亿元" in legend
    shown = pd.Series(re.findall(r"rgb\((\d+), ?(\d+), ?(\d+)\)", legend))
    assert shown.nunique() == len(shown) == 5  # one swatch per shade
    assert not any('<div class="cockpit-legend"' in h.proto.body for h in at.get("html"))  # not twice


def test_the_map_key_lists_every_shade_with_ranges_that_run_on_without_a_gap():
    from cockpit import maps
    # 0 and 1 fall in the lightest shade, 10 in the darkest: the three between stay in the key
    key = maps.legend(pd.Series([0.0, 1.0, 10.0, None]), lambda x: f"{x:g}")
    assert [c for c, _ in key] == [*maps.RAMP, maps.NO_DATA]
    assert [w for _, w in key] == ["0 ～ 1.25", "1.25 ～ 3.75", "3.75 ～ 6.25", "6.25 ～ 8.75", "8.75 ～ 10", "无数据"]
