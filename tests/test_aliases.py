"""Names that learn: a mapping stored once (audited) reads every later file; hostile input refused."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cockpit import schema as s
from cockpit.uploads import aliases as A, validate as V
from tests.fixtures.upload_files import TODAY, xlsx
from tests.test_upload_workbooks import _cli

OPT = V.Options(today=TODAY)
ROW = [["城乡一体化", "社零", "2026-10", "累计", 12.5, "亿元"]]


def _audit(store, action) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).where(s.audit_log.c.action == action)).scalar()


def test_a_mapped_name_reads_every_later_file_and_the_mapping_is_audited(store):
    first = V.check_bytes(store, xlsx(ROW + [["梁园区", "社会消费品零售总额", "2026-10", "累计", 1, "亿元"]]),
                          "x.xlsx", OPT)
    assert [u["text"] for u in first.unknown] == ["社零"]  # 城乡一体化 is one of 示范区's common names
    assert A.suggestions(store, "indicator", "社零")[0] == "RETAIL"  # the closest name first
    assert A.add(store, "indicator", "社零", "社会消费品零售总额", by="统计员") == \
        "已设置：“社零”以后按指标“社会消费品零售总额”读取。"
    later = V.check_bytes(store, xlsx(ROW), "y.xlsx", OPT)
    assert later.ok and list(later.dataset("observations").frame.indicator_code) == ["RETAIL"]
    assert list(later.dataset("observations").frame.region_code) == ["411400-SFQ"]
    assert _audit(store, "alias_add") == 1
    assert A.remove(store, "indicator", "社零", by="统计员").startswith("已删除")
    assert not V.check_bytes(store, xlsx(ROW), "z.xlsx", OPT).ok and _audit(store, "alias_remove") == 1


@pytest.mark.parametrize("name, reason", [
    ("", "名称不能为空"), ("   ", "名称不能为空"), ("社" * 300, "过长（300 个字）"),
    ("**社零**", "不能出现在名称中的符号"), ("<b>社零</b>", "不能出现在名称中的符号"),
    ("[社零](http://x)", "不能出现在名称中的符号"), ("社零\n总额", "不能出现在名称中的符号"),
    ("梁园", "已对应地区“梁园区”，不能再对应“睢阳区”")])
def test_a_careless_or_hostile_name_is_refused_and_nothing_is_stored(store, name, reason):
    kind = "region" if name == "梁园" else "indicator"
    target = "睢阳区" if kind == "region" else "RETAIL"
    with pytest.raises(A.AliasRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        A.add(store, kind, name, target, by="统计员")
    assert store.count(s.name_aliases) == 0 and _audit(store, "alias_add") == 0


def test_a_name_that_already_maps_elsewhere_is_refused_naming_both(store):
    A.add(store, "indicator", "社零", "RETAIL", by="甲")
    with pytest.raises(A.AliasRefused, match="“社零”已对应指标“社会消费品零售总额”，不能再对应“全社会用电量”"):
        A.add(store, "indicator", "社零", "POWER", by="乙")
    assert A.add(store, "indicator", " 社 零 ", "RETAIL", by="乙").endswith("无需重复设置。")
    assert store.count(s.name_aliases) == 1


def test_an_unknown_target_or_kind_is_refused(store):
    with pytest.raises(A.AliasRefused, match="目录中没有指标“税收”"):
        A.add(store, "indicator", "税收收入", "税收", by="甲")
    with pytest.raises(A.AliasRefused, match="类别应为"):
        A.add(store, "task", "x", "y", by="甲")


def test_an_admin_adds_a_new_indicator_and_the_next_file_imports_it(store):
    code = A.add_indicator(store, "税收收入", "亿元", ["month", "ytd", "ytd_yoy"], "宏观经济", by="管理员")
    checked = V.check_bytes(store, xlsx([["全市", "税收收入", "2026-10", "累计", 99.5, "亿元"]]), "x.xlsx", OPT)
    assert checked.ok and list(checked.dataset("observations").frame.indicator_code) == [code]
    assert _audit(store, "indicator_add") == 1
    for args, reason in [(("社会消费品零售总额", "亿元", ["ytd"], "宏观经济"), "已是目录中的指标"),
                         (("新指标", "", ["ytd"], "宏观经济"), "单位应为"), (("新指标", "亿元", [], "宏观经济"), "发布口径"),
                         (("新指标", "亿元", ["ytd"], "<script>"), "领域应为"),
                         (("<i>新</i>", "亿元", ["ytd"], "宏观经济"), "不能出现在名称中的符号"),
                         # a name and a unit go into every template a clerk opens in Excel
                         (('=HYPERLINK("http://x.cn","点")', "亿元", ["ytd"], "宏观经济"), "不能以 = \\+ - @ 开头"),
                         (("@SUM(A1)", "亿元", ["ytd"], "宏观经济"), "不能以 = \\+ - @ 开头"),
                         (("新指标", "=1+1", ["ytd"], "宏观经济"), "单位应为")]:
        with pytest.raises(A.AliasRefused, match=reason):
            A.add_indicator(store, *args, by="管理员")
    assert len(store.indicators()[store.indicators().code.str.startswith("USER_")]) == 1


def test_the_command_line_adds_lists_and_removes_and_refuses_with_exit_1(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = _cli("aliases", "add", "指标", "社零", "社会消费品零售总额", "--user", "统计员", db=db)
    assert r.returncode == 0 and "已设置：“社零”以后按指标“社会消费品零售总额”读取" in r.stdout, r.stderr
    r = _cli("aliases", "add", "指标", "社零", "全社会用电量", db=db)
    assert r.returncode == 1 and "已对应指标“社会消费品零售总额”" in r.stderr and "Traceback" not in r.stderr
    r = _cli("aliases", "add", "指标", "<b>x</b>", "RETAIL", db=db)
    assert r.returncode == 1 and "不能出现在名称中的符号" in r.stderr
    r = _cli("aliases", "add", "任务", "社零", "RETAIL", db=db)
    assert r.returncode == 2 and "类别应为“地区”或“指标”" in r.stderr
    r = _cli("aliases", "list", db=db)
    assert r.returncode == 0 and "指标\t社零\t→ 社会消费品零售总额（RETAIL）\t统计员" in r.stdout
    r = _cli("aliases", "remove", "指标", "社零", db=db)
    assert r.returncode == 0 and "已删除“社零”" in r.stdout
    r = _cli("aliases", "remove", "指标", "社零", db=db)
    assert r.returncode == 1 and "没有“社零”的对应关系" in r.stderr
