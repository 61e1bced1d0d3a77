"""Chinese words for the codes the core stores (audit actions and targets, actors, sources, datasets).

The stored codes stay as they are (scripts, exports for auditors and the command line read them);
only what a person reads on a page is said in words. An unknown code is shown as stored.
"""
from __future__ import annotations

import json
import re

import pandas as pd

from cockpit.rule_config import RULE_TITLES, SETTING_NAMES
from cockpit.uploads.aliases import KINDS
from cockpit.uploads.history import DATASETS

ACTORS = {"system": "系统", "?": "（未填写用户名）"}
ACTIONS = {
    "import": "导入数据", "rollback": "回滚批次", "login": "登录", "login_failed": "登录失败", "logout": "退出登录",
    "user_add": "新建用户", "user_role": "更改角色", "user_password": "修改密码", "user_disable": "停用用户",
    "user_enable": "启用用户", "screen_link_add": "生成大屏链接", "screen_link_revoke": "收回大屏链接",
    "annotate": "添加批注", "annotation_hide": "隐藏批注", "alias_add": "添加名称对应", "alias_remove": "删除名称对应",
    "indicator_add": "新增指标", "demo_retire": "停用演示数据", "demo_restore": "恢复演示数据",
    "rules_change": "修改预警规则", "alert_ack": "确认预警", "alert_assign": "下达督办", "export": "导出",
    "backup": "备份", "restore": "恢复备份",
}
SOURCES = {"demo": "演示数据", "excel": "Excel 文件", "csv": "CSV 文件", "upload": "上传文件", "cli": "命令行"}
# What an export was (ui.widgets.export_button's `what`) when it is a code rather than a title.
EXPORTS = {"audit_log": "审计日志", "upload_problems": "上传问题清单", "upload_batches": "报送历史",
           "plan_tasks": "重点任务清单"}
_TARGET_KINDS = {"batch": "批次 #", "alert": "预警 #", "annotation": "批注 #", "user": "用户 ", "screen": "大屏链接 ",
                 "dataset": "数据集 ", "indicator": "指标 ", "region": "地区 "}
_IMPORT = re.compile(r"^(\S+) (\S+) (\d+) 行(?: (.*))?$")


def actor(code) -> str:
    return ACTORS.get(code, code) if isinstance(code, str) else code


def action(code) -> str:
    return ACTIONS.get(code, code) if isinstance(code, str) else code


def target(code, indicators: dict[str, str] | None = None) -> str:
    """batch:6 -> 批次 #6, dataset:observations -> 数据集 经济与指标数据, rules.local.toml -> 预警规则设置, …"""
    if not isinstance(code, str) or not code:
        return code
    if code.endswith(".toml"):
        return "预警规则设置"
    kind, sep, rest = code.partition(":")
    if not sep:
        return EXPORTS.get(code, code)
    if kind == "dataset":
        rest = DATASETS.get(rest, rest)
    elif kind == "indicator" and indicators:
        rest = indicators.get(rest, rest)
    word = _TARGET_KINDS.get(kind) or (KINDS[kind] + " " if kind in KINDS else None)
    return f"{word}{rest}" if word else code


def detail(action_code, text, indicators: dict[str, str] | None = None) -> str:
    """The detail of an entry in words: an import's source and dataset, a rule change's settings."""
    if not isinstance(text, str) or not text:
        return text
    if action_code == "import" and (m := _IMPORT.match(text)):
        source, dataset, rows, file = m.groups()
        said = f"{SOURCES.get(source, source)}：{DATASETS.get(dataset, dataset)} {int(rows):,} 行"
        return f"{said}（{file}）" if file else said
    if action_code == "rules_change":
        return _rules(text)
    if action_code == "annotate" and indicators:
        code, _, rest = text.partition(" ")
        return f"{indicators.get(code, code)} {rest}".strip()
    return text


def _rules(text: str) -> str:
    try:
        changed = json.loads(text).get("rules", {})
    except (ValueError, AttributeError):
        return text
    if not changed:
        return "恢复默认设置"
    parts = []
    for rule, values in changed.items():
        said = "，".join(f"{'启用' if v else '停用'}" if k == "enabled" else f"{SETTING_NAMES.get(k, k)} {v}"
                        for k, v in values.items())
        parts.append(f"{RULE_TITLES.get(rule, rule)}：{said}")
    return "；".join(parts)


def audit_frame(log: pd.DataFrame, indicators: dict[str, str] | None = None) -> pd.DataFrame:
    """at, actor, action, target, detail -> the Chinese table 系统管理 shows."""
    return pd.DataFrame({
        "时间": log["at"], "操作人": log.actor.map(actor), "动作": log.action.map(action),
        "对象": log.target.map(lambda t: target(t, indicators)),
        "详情": [detail(a, d, indicators) for a, d in zip(log.action, log.detail)]})
