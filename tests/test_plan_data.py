"""Checks on the committed plan CSVs produced by scripts/extract_plan.py."""

from __future__ import annotations

import calendar
import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAN_DIR = REPO_ROOT / "data/plan"
SCRIPT = REPO_ROOT / "scripts/extract_plan.py"
SEED = Path(__file__).resolve().parents[2] / "shared/seeds/000_df8c3f47e4526f6a.txt"

INDICATORS = [
    ("非涉密部门专网整合率", 95.0),
    ("非涉密部门机房整合纳管率", 95.0),
    ("非涉密政务信息系统上云率", 95.0),
    ("“一网享数”数据供给率", 90.0),
    ("“一网通办”系统融通率", 90.0),
    ("“一网智管”业务覆盖率", 80.0),
    ("“一网协同”部门覆盖率", 90.0),
    ("政务服务“四电”应用率", 90.0),
    ("政务服务全程网办率", 96.0),
    ("公共数据开放率", 90.0),
    ("投诉差评办理满意率", 95.0),
    ("网络安全等级测评覆盖率", 90.0),
]
SECTION_COUNTS = {"1": 36, "2": 32, "3": 13, "4": 6, "5": 76, "6": 9}
COMMON_RESPONSIBLE = "市直相关部门以及各县(市、区)人民政府、示范区管委会按职责分工负责"


def read_csv(name: str) -> list[dict[str, str]]:
    with (PLAN_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def indicators() -> list[dict[str, str]]:
    return read_csv("indicators.csv")


@pytest.fixture(scope="module")
def tasks() -> list[dict[str, str]]:
    return read_csv("tasks.csv")


@pytest.fixture(scope="module")
def tasks_by_number(tasks) -> dict[int, dict[str, str]]:
    return {int(t["number"]): t for t in tasks}


# --------------------------------------------------------------------------- indicators

def test_indicator_table_has_the_twelve_plan_indicators_in_order(indicators):
    assert [row["name"] for row in indicators] == [name for name, _ in INDICATORS]
    assert [row["code"] for row in indicators] == [f"PLAN{i:02d}" for i in range(1, 13)]
    assert [row["seq"] for row in indicators] == [str(i) for i in range(1, 13)]


def test_indicator_targets_match_the_2025_goals(indicators):
    assert [float(row["target_2025"]) for row in indicators] == [t for _, t in INDICATORS]
    # Written as float text so downstream readers get a float column.
    assert indicators[0]["target_2025"] == "95.0"


def test_indicators_are_percentages_where_higher_is_better(indicators):
    assert {row["unit"] for row in indicators} == {"%"}
    assert {row["higher_is_better"] for row in indicators} == {"1"}
    assert all(row["definition"] for row in indicators)
    assert indicators[0]["definition"] == "非涉密部门专网中向电子政务外网整合迁移的数量占比"


# --------------------------------------------------------------------------- tasks

def test_task_list_has_172_tasks_numbered_continuously(tasks):
    numbers = [int(t["number"]) for t in tasks]
    assert len(tasks) == 172
    assert numbers == list(range(1, 173))
    assert len(set(numbers)) == 172


def test_each_section_holds_the_number_of_tasks_its_heading_declares(tasks):
    assert Counter(t["section_no"] for t in tasks) == SECTION_COUNTS
    ordinals = {t["section_no"]: t["section"] for t in tasks}
    assert ordinals == {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六"}


def test_section_titles_drop_ordinal_count_and_full_stop(tasks):
    titles = {t["section_no"]: t["section_title"] for t in tasks}
    assert titles == {
        "1": "构建协同高效的政府数字化履职能力体系",
        "2": "构建数字政府全方位安全保障体系",
        "3": "构建科学规范的数字政府建设制度规则体系",
        "4": "构建开放共享的数据资源体系",
        "5": "构建智能集约的云网基础设施和平台支撑体系",
        "6": "引领驱动数字领域全面发展",
    }


def test_deadline_kinds_split_into_dates_and_open_ended_tasks(tasks):
    assert Counter(t["deadline_kind"] for t in tasks) == {"date": 141, "持续推进": 29, "适时推进": 2}
    for t in tasks:
        if t["deadline_kind"] != "date":
            assert t["deadline_date"] == ""
            assert t["deadline_text"] == t["deadline_kind"]


def test_dated_tasks_carry_the_month_end_of_their_written_deadline(tasks):
    for t in tasks:
        if t["deadline_kind"] != "date":
            continue
        match = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月底前", t["deadline_text"])
        assert match, t
        year, month = int(match.group(1)), int(match.group(2))
        last_day = calendar.monthrange(year, month)[1]
        assert t["deadline_date"] == f"{year:04d}-{month:02d}-{last_day:02d}", t


def test_most_tasks_are_due_by_the_end_of_2023_or_2024(tasks):
    dates = Counter(t["deadline_date"] for t in tasks if t["deadline_date"])
    assert dates == {
        "2023-12-31": 57, "2024-06-30": 13, "2024-12-31": 60,
        "2025-06-30": 2, "2025-12-31": 9,
    }


def test_every_task_has_text_and_at_least_one_lead_unit(tasks):
    for t in tasks:
        assert t["text"] and t["units_text"], t
        leads = t["lead_units"].split("|")
        assert all(leads), t
        # Short forms and spelling variants are expanded, so none remain.
        assert "市行政审批政务和信息管理局" not in leads
        assert "市行政审批政务信息管理局" not in leads
        assert not any(u.endswith("按职责分工负责") for u in leads), t


def test_text_has_no_layout_spaces_next_to_chinese(tasks):
    cjk_space = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]\s|\s[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")
    for t in tasks:
        for field in ("text", "units_text", "responsible_units"):
            assert not cjk_space.search(t[field]), (t["number"], field, t[field])


def test_subsections_label_only_the_tasks_under_them(tasks_by_number):
    assert tasks_by_number[36]["subsection"] == ""
    assert tasks_by_number[37]["subsection"] == "(一)推进一体化安全防护配置"
    assert tasks_by_number[51]["subsection"] == "(二)实行一体化安全防护运营"
    assert tasks_by_number[68]["subsection"] == "(三)加强一体化安全防护监管"
    # A new section starts without the previous section's sub-heading.
    assert tasks_by_number[69]["subsection"] == ""
    assert tasks_by_number[88]["subsection"] == "(一)打造标准优质的政务底座,实现“一云统构”"
    assert tasks_by_number[163]["subsection"] == "(八)推进政务运行“一网协同”"
    assert tasks_by_number[164]["subsection"] == ""


SAMPLE_TASKS = {
    1: {
        "section_no": "1", "section": "一",
        "section_title": "构建协同高效的政府数字化履职能力体系", "subsection": "",
        "text": "围绕重点经济领域,整合汇聚经济运行相关数据,构建市经济治理基础数据库,"
                "开展关键经济数据的全链条、全流程治理和应用。",
        "deadline_text": "2023 年 12 月底前", "deadline_date": "2023-12-31", "deadline_kind": "date",
        "units_text": "市发展改革委、行政审批和政务信息管理局牵头," + COMMON_RESPONSIBLE,
        "lead_units": "市发展改革委|市行政审批和政务信息管理局",
        "responsible_units": COMMON_RESPONSIBLE,
    },
    3: {
        "section_no": "1", "section": "一",
        "section_title": "构建协同高效的政府数字化履职能力体系", "subsection": "",
        "text": "整合联通经济运行监测预警相关平台,加强经济运行全周期的数据统计监测和综合分析研判,"
                "助力跨周期政策设计和逆周期经济调节。",
        "deadline_text": "2024 年 6 月底前", "deadline_date": "2024-06-30", "deadline_kind": "date",
        "units_text": "市发展改革委、工信局、统计局、行政审批政务信息管理局牵头," + COMMON_RESPONSIBLE,
        "lead_units": "市发展改革委|市工信局|市统计局|市行政审批和政务信息管理局",
        "responsible_units": COMMON_RESPONSIBLE,
    },
    4: {
        "section_no": "1", "section": "一",
        "section_title": "构建协同高效的政府数字化履职能力体系", "subsection": "",
        "text": "结合市国土空间规划“一张图”,适时建设市规划综合管理信息平台,"
                "探索开展经济政策效果事前模拟和事后评估,促进各类各级规划和各领域经济政策有效衔接。",
        "deadline_text": "适时推进", "deadline_date": "", "deadline_kind": "适时推进",
        "units_text": "市发展改革委、自然资源局牵头," + COMMON_RESPONSIBLE,
        "lead_units": "市发展改革委|市自然资源局",
        "responsible_units": COMMON_RESPONSIBLE,
    },
    8: {
        "section_no": "1", "section": "一",
        "section_title": "构建协同高效的政府数字化履职能力体系", "subsection": "",
        "text": "建立网络平台实时监测机制,强化网络交易监管,规范平台经济发展,"
                "对新技术、新产业、新业态、新模式实行包容审慎监管。",
        "deadline_text": "2023 年 12 月底前", "deadline_date": "2023-12-31", "deadline_kind": "date",
        "units_text": "市委网信办、市市场监管局、发展改革委牵头," + COMMON_RESPONSIBLE,
        "lead_units": "市委网信办|市市场监管局|市发展改革委",
        "responsible_units": COMMON_RESPONSIBLE,
    },
    11: {
        "section_no": "1", "section": "一",
        "section_title": "构建协同高效的政府数字化履职能力体系", "subsection": "",
        "text": "加快构建空天地一体化应急通信网络,增强极端恶劣条件下应急救援现场通信保障能力。",
        "deadline_text": "2023 年 12 月底前", "deadline_date": "2023-12-31", "deadline_kind": "date",
        "units_text": "市应急管理局,各县(市、区)人民政府、示范区管委会按职责分工负责",
        "lead_units": "市应急管理局",
        "responsible_units": "各县(市、区)人民政府、示范区管委会按职责分工负责",
    },
    37: {
        "section_no": "2", "section": "二",
        "section_title": "构建数字政府全方位安全保障体系",
        "subsection": "(一)推进一体化安全防护配置",
        "text": "严格落实网络安全等级保护、关键信息基础设施安全保护、密码应用安全性评估及安全风险评估等制度,"
                "推动政务云、政务网络、政务信息系统开展等级测评和密码应用安全性评估工作。",
        "deadline_text": "持续推进", "deadline_date": "", "deadline_kind": "持续推进",
        "units_text": "市公安局、行政审批和政务信息管理局牵头、市委保密局," + COMMON_RESPONSIBLE,
        "lead_units": "市公安局|市行政审批和政务信息管理局",
        "responsible_units": "市委保密局," + COMMON_RESPONSIBLE,
    },
    137: {
        "section_no": "5", "section": "五",
        "section_title": "构建智能集约的云网基础设施和平台支撑体系",
        "subsection": "(五)推进政务系统“一网享数”",
        "text": "建设市级大数据中心,按照全省统一对接规范进行平台对接,建成全市一体化政务大数据体系。",
        "deadline_text": "2025 年6 月底前", "deadline_date": "2025-06-30", "deadline_kind": "date",
        "units_text": "市行政审批政务和信息管理局牵头," + COMMON_RESPONSIBLE,
        "lead_units": "市行政审批和政务信息管理局",
        "responsible_units": COMMON_RESPONSIBLE,
    },
    172: {
        "section_no": "6", "section": "六",
        "section_title": "引领驱动数字领域全面发展", "subsection": "",
        "text": "完善数字经济科创服务体系,规范数字经济发展,健全市场准入制度、公平竞争审查制度、"
                "公平竞争监管制度,营造规范有序的政策环境。",
        "deadline_text": "2025 年 12 月底前", "deadline_date": "2025-12-31", "deadline_kind": "date",
        "units_text": "市发展改革委、工信局、市场监管局、行政审批和政务信息管理局," + COMMON_RESPONSIBLE,
        "lead_units": "市发展改革委|市工信局|市市场监管局|市行政审批和政务信息管理局",
        "responsible_units": COMMON_RESPONSIBLE,
    },
}


@pytest.mark.parametrize("number", sorted(SAMPLE_TASKS))
def test_sample_task_fields_match_the_seed(tasks_by_number, number):
    expected = {"number": str(number), **SAMPLE_TASKS[number]}
    assert tasks_by_number[number] == expected


def test_deadline_text_keeps_the_seeds_irregular_spacing(tasks_by_number):
    # Task 2 has a no-break space before 月; it is kept verbatim yet still parsed.
    assert tasks_by_number[2]["deadline_text"] == "2023 年 12\u00a0月底前"
    assert tasks_by_number[2]["deadline_date"] == "2023-12-31"
    assert tasks_by_number[136]["deadline_text"] == "2024 年 6月底前"
    assert tasks_by_number[136]["deadline_date"] == "2024-06-30"


def test_units_without_a_comma_are_all_leads_with_no_remainder(tasks_by_number):
    assert tasks_by_number[100]["lead_units"] == "市行政审批和政务信息管理局"
    assert tasks_by_number[100]["responsible_units"] == ""
    # "…、市场监管局按职责分工负责": the duty phrase is not part of a unit name,
    # and 市场监管局 is the short form of 市市场监管局.
    assert tasks_by_number[88]["lead_units"] == "市行政审批和政务信息管理局|市市场监管局"
    assert tasks_by_number[88]["responsible_units"] == ""


def test_known_unit_variants_map_to_one_department(tasks_by_number):
    assert tasks_by_number[48]["lead_units"] == "市委网信办|市委保密局|市公安局|市行政审批和政务信息管理局"
    assert tasks_by_number[33]["lead_units"] == "市政府办公室"
    # Non-departments are left without a 市 prefix.
    assert tasks_by_number[23]["lead_units"].split("|")[-1] == "人行商丘支行"


# --------------------------------------------------------------------------- reproducibility

def test_csv_files_are_utf8_with_lf_line_endings_and_no_bom():
    for name in ("indicators.csv", "tasks.csv"):
        data = (PLAN_DIR / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r\n" not in data, name
        data.decode("utf-8")


def test_rerunning_the_extractor_reproduces_the_committed_csvs(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"seed file not available at {SEED}; cannot regenerate the CSVs")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(SEED), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("indicators.csv", "tasks.csv"):
        assert (tmp_path / name).read_bytes() == (PLAN_DIR / name).read_bytes(), name


def test_extractor_fails_when_a_section_count_disagrees_with_its_heading(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"seed file not available at {SEED}; cannot build a broken copy")
    broken = tmp_path / "seed.txt"
    text = SEED.read_text(encoding="utf-8")
    assert "(共36项)" in text
    broken.write_text(text.replace("(共36项)", "(共35项)"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(broken), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "heading says 35 tasks, found 36" in result.stderr
    assert not (tmp_path / "out").exists()
