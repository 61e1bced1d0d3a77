#!/usr/bin/env python3
"""Extract the 商丘市 digital-government plan tables from the seed text into CSV.

Reads the plain-text dump of 《商丘市加强数字政府建设实施方案(2023-2025年)》 and writes:

* ``indicators.csv`` - the 12 rows of 商丘市数字政府建设主要指标表
* ``tasks.csv``      - the 172 rows of 商丘市数字政府建设重点任务清单(2023-2025)

The output is deterministic (same seed -> byte-identical files) so that the
committed CSVs can be checked against a fresh run in the tests.

Usage::

    python scripts/extract_plan.py [SEED] [--out DIR]

Relative SEED and DIR paths are resolved against the repository root (the
parent of this script's directory), so the script behaves the same from any
working directory.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = "../shared/seeds/000_df8c3f47e4526f6a.txt"
DEFAULT_OUT = "data/plan"

INDICATOR_TABLE_TITLE = "商丘市数字政府建设主要指标表"
INDICATOR_HEADER = ["序号", "主要指标", "指标说明", "2025年目标"]
TASK_TABLE_TITLE = "商丘市数字政府建设重点任务清单(2023-2025)"
TASK_HEADER = ["序号", "主要任务", "任务时限", "责任单位"]
EXPECTED_INDICATORS = 12
EXPECTED_TASKS = 172

INDICATOR_FIELDS = ["code", "seq", "name", "definition", "unit", "target_2025", "higher_is_better"]
TASK_FIELDS = [
    "number", "section_no", "section", "section_title", "subsection", "text",
    "deadline_text", "deadline_date", "deadline_kind", "units_text",
    "lead_units", "responsible_units",
]

CN_ORDINALS = "一二三四五六七八九十"
# The seed mixes ASCII and full-width brackets/commas, so every pattern accepts both.
SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、(.+?)[((]共(\d+)项[))]$")
SUBSECTION_RE = re.compile(r"^[((][一二三四五六七八九十]+[))].+$")
NUMBER_RE = re.compile(r"^\d{1,3}$", re.ASCII)
# \s (unicode) also matches the NBSP found in one deadline ("2023 年 12\xa0月底前").
DEADLINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月底前$")
OPEN_ENDED_KINDS = ("持续推进", "适时推进")
PERCENT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")

# CJK ideographs, CJK/full-width punctuation and the curly quotes used around
# slogans such as “一网通办”. Whitespace next to any of these is layout noise
# from the web page, not meaningful spacing.
_CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u00d7]"
_SPACE_BEFORE_CJK = re.compile(rf"\s+(?={_CJK})")
_SPACE_AFTER_CJK = re.compile(rf"(?<={_CJK})\s+")
_SPACE_RUN = re.compile(r"\s+")

UNIT_SEPARATOR = "|"
# Spelling variants in the seed that denote one department; mapped after the
# 市 prefix has been added. 保密局 is listed as 市委保密局 elsewhere in the seed
# (e.g. task 37), so the bare short form must not become "市保密局".
UNIT_ALIASES = {
    "市行政审批政务信息管理局": "市行政审批和政务信息管理局",
    "市行政审批政务和信息管理局": "市行政审批和政务信息管理局",
    "市保密局": "市委保密局",
    "市政府办公市": "市政府办公室",
}
# Entries that are not municipal departments and so must not get a 市 prefix.
NON_DEPARTMENT_MARKERS = ("各", "商丘", "人民政府", "管委会", "省", "中央", "国家")
DUTY_SUFFIX = "按职责分工负责"


class ExtractionError(Exception):
    """The seed does not have the structure this script relies on."""


def check(condition: bool, message: str) -> None:
    # Not `assert`: these checks must survive `python -O`.
    if not condition:
        raise ExtractionError(message)


def tidy(text: str) -> str:
    """Strip and drop spaces adjacent to CJK; collapse any other run to one space."""
    text = text.strip()
    text = _SPACE_BEFORE_CJK.sub("", text)
    text = _SPACE_AFTER_CJK.sub("", text)
    return _SPACE_RUN.sub(" ", text)


def content_lines(raw: str) -> list[str]:
    """Non-blank lines, stripped; the seed puts a blank line between all table cells."""
    return [line.strip() for line in raw.splitlines() if line.strip()]


def find_table(lines: list[str], title: str, header: list[str]) -> int:
    """Index of the first row after ``title`` followed directly by ``header``."""
    for i, line in enumerate(lines):
        if line == title and lines[i + 1:i + 1 + len(header)] == header:
            return i + 1 + len(header)
    raise ExtractionError(f"table {title!r} with header {header} not found")


# --------------------------------------------------------------------------- indicators

def parse_indicators(lines: list[str]) -> list[dict[str, str]]:
    i = find_table(lines, INDICATOR_TABLE_TITLE, INDICATOR_HEADER)
    rows = []
    # Rows are groups of 4 cells; the table ends at the first line that is not
    # the next sequence number (the following chapter heading).
    while i + 3 < len(lines) and lines[i] == str(len(rows) + 1):
        seq, name, definition, target = lines[i:i + 4]
        match = PERCENT_RE.match(target)
        check(match is not None, f"indicator {seq}: target {target!r} is not a percentage")
        rows.append({
            "code": f"PLAN{int(seq):02d}",
            "seq": seq,
            "name": tidy(name),
            "definition": tidy(definition),
            "unit": "%",
            "target_2025": repr(float(match.group(1))),
            # Every indicator is a coverage/adoption/satisfaction rate.
            "higher_is_better": "1",
        })
        i += 4
    check(len(rows) == EXPECTED_INDICATORS,
          f"expected {EXPECTED_INDICATORS} indicators, found {len(rows)}")
    return rows


# --------------------------------------------------------------------------- tasks

def parse_deadline(text: str) -> tuple[str, str]:
    """Return (deadline_date, deadline_kind) for a 任务时限 cell."""
    match = DEADLINE_RE.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        check(1 <= month <= 12, f"bad month in deadline {text!r}")
        last_day = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-{last_day:02d}", "date"
    check(text in OPEN_ENDED_KINDS, f"unrecognised deadline {text!r}")
    return "", text


def split_enumeration(text: str) -> list[str]:
    """Split on 、 except inside brackets, so 各县(市、区)人民政府 stays whole."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "((":
            depth += 1
        elif ch in "))":
            depth = max(depth - 1, 0)
        if ch == "、" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def normalise_unit(name: str) -> str:
    """Expand a short-form municipal department (e.g. 工信局) to its 市 name."""
    is_department = not any(marker in name for marker in NON_DEPARTMENT_MARKERS)
    # 市场监管局 starts with 市 only by accident of spelling; its full name is 市市场监管局.
    already_prefixed = name.startswith("市") and not name.startswith("市场")
    if is_department and not already_prefixed:
        name = "市" + name
    return UNIT_ALIASES.get(name, name)


def split_units(units_text: str) -> tuple[list[str], str]:
    """Split a 责任单位 cell into (lead units, remaining responsible units)."""
    if "牵头" in units_text:
        lead, rest = units_text.split("牵头", 1)
    else:
        match = re.search(r"[,,]", units_text)
        if match:
            lead, rest = units_text[:match.start()], units_text[match.end():]
        else:
            lead, rest = units_text, ""
    # Cells like "市委保密局、市行政审批政务和信息管理局按职责分工负责" have no
    # comma: the duty phrase is not a unit name, so keep it out of the lead list.
    lead = lead.strip()
    if lead.endswith(DUTY_SUFFIX):
        lead = lead[:-len(DUTY_SUFFIX)]
    # Task 37 reads "...牵头、市委保密局,..." - the separator after 牵头 is not content.
    rest = rest.strip().lstrip(",,、").strip()
    leads = [normalise_unit(u) for u in split_enumeration(lead)]
    check(bool(leads), f"no lead unit in {units_text!r}")
    return leads, rest


def parse_tasks(lines: list[str]) -> list[dict[str, str]]:
    i = find_table(lines, TASK_TABLE_TITLE, TASK_HEADER)
    tasks: list[dict[str, str]] = []
    sections: list[tuple[int, str, str, int]] = []  # (no, ordinal, title, declared count)
    subsection = ""
    while i < len(lines):
        line = lines[i]
        section_match = SECTION_RE.match(line)
        if section_match:
            ordinal, title, declared = section_match.groups()
            check(ordinal in CN_ORDINALS, f"unexpected section ordinal in {line!r}")
            no = CN_ORDINALS.index(ordinal) + 1
            check(no == len(sections) + 1, f"section {ordinal} out of order")
            sections.append((no, ordinal, title.strip().rstrip("。").strip(), int(declared)))
            subsection = ""  # sub-headings never carry over into the next section
            i += 1
            continue
        if SUBSECTION_RE.match(line):
            check(bool(sections), f"sub-heading {line!r} before any section")
            subsection = tidy(line).rstrip("。")
            i += 1
            continue
        if not NUMBER_RE.match(line):
            break  # end of the annex (the page continues with "附件4:" etc.)
        check(bool(sections), f"task {line} before any section heading")
        number = int(line)
        check(number == len(tasks) + 1,
              f"task numbers not continuous: expected {len(tasks) + 1}, got {number}")
        check(i + 3 < len(lines), f"task {number} is truncated")
        text, deadline_text, units_raw = lines[i + 1:i + 4]
        deadline_date, deadline_kind = parse_deadline(deadline_text)
        units_text = tidy(units_raw)
        leads, responsible = split_units(units_text)
        no, ordinal, title, _ = sections[-1]
        tasks.append({
            "number": str(number),
            "section_no": str(no),
            "section": ordinal,
            "section_title": title,
            "subsection": subsection,
            "text": tidy(text),
            "deadline_text": deadline_text,  # verbatim, odd spacing included
            "deadline_date": deadline_date,
            "deadline_kind": deadline_kind,
            "units_text": units_text,
            "lead_units": UNIT_SEPARATOR.join(leads),
            "responsible_units": responsible,
        })
        i += 4

    check(bool(sections), "no task sections found")
    for no, ordinal, title, declared in sections:
        found = sum(1 for t in tasks if t["section_no"] == str(no))
        check(found == declared,
              f"section {ordinal}、{title}: heading says {declared} tasks, found {found}")
    check(len(tasks) == EXPECTED_TASKS, f"expected {EXPECTED_TASKS} tasks, found {len(tasks)}")
    return tasks


# --------------------------------------------------------------------------- output

def write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # newline="" + lineterminator="\n" gives LF endings on every platform.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def resolve(path_text: str) -> Path:
    path = Path(path_text)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seed", nargs="?", default=DEFAULT_SEED,
                        help=f"seed text file (default: {DEFAULT_SEED}, relative to repo root)")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"output directory (default: {DEFAULT_OUT}, relative to repo root)")
    args = parser.parse_args(argv)

    seed = resolve(args.seed)
    out_dir = resolve(args.out)
    try:
        lines = content_lines(seed.read_text(encoding="utf-8"))
        indicators = parse_indicators(lines)
        tasks = parse_tasks(lines)
    except OSError as exc:
        print(f"error: cannot read seed: {exc}", file=sys.stderr)
        return 1
    except ExtractionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    write_csv(out_dir / "indicators.csv", INDICATOR_FIELDS, indicators)
    write_csv(out_dir / "tasks.csv", TASK_FIELDS, tasks)
    print(f"wrote {len(indicators)} indicators and {len(tasks)} tasks to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
