"""The page registry: stable URLs that wall displays, bookmarks and tests rely on.

A page not built yet is absent, never a placeholder. Planned URLs: /economy,
/indicators, /emergency, /hotline, /tasks, /warnings, /upload, /briefing, /admin.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    script: str  # relative to the project root
    title: str
    url_path: str  # "" is the root
    icon: str
    shows_data: bool = True  # pages with figures carry the 演示数据 label while demo data is in force


PAGES = [
    PageSpec("pages/overview.py", "驾驶舱总览", "", ":material/dashboard:"),
    PageSpec("pages/economy.py", "经济运行", "economy", ":material/monitoring:"),
    PageSpec("pages/indicators.py", "建设指标", "indicators", ":material/flag:"),
    PageSpec("pages/tasks.py", "督查督办", "tasks", ":material/task_alt:"),
    PageSpec("pages/hotline.py", "社情民意", "hotline", ":material/support_agent:"),
    PageSpec("pages/emergency.py", "应急指挥", "emergency", ":material/emergency:"),
    PageSpec("pages/upload.py", "数据报送", "upload", ":material/upload_file:"),
    PageSpec("pages/admin.py", "系统管理", "admin", ":material/admin_panel_settings:", shows_data=False),
    PageSpec("pages/warnings.py", "预警中心", "warnings", ":material/notifications_active:"),
    PageSpec("pages/briefing.py", "月度简报", "briefing", ":material/slideshow:"),
    PageSpec("pages/sources.py", "数据源", "sources", ":material/cable:", shows_data=False),
]
