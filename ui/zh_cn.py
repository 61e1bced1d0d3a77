"""Streamlit's own English words, said in Chinese: the one table of them, and the script that swaps them.

Streamlit draws some words itself (the file uploader, form hints, the running indicator, a lost
connection) and offers no setting for them. A small script, run in the page itself (same origin,
no network), watches the document and replaces each known English text, tooltip and label with
its Chinese. Strings not in this table are left alone; the browser test that walks every page
fails on any Latin word outside its allowlist, so a new Streamlit string shows up there.
"""
from __future__ import annotations

import json

# Exact texts (after trimming) -> Chinese.
STRINGS = {
    # st.file_uploader
    "Upload": "选择文件",
    "Browse files": "选择文件",
    "Add files": "添加文件",
    "Upload directories": "选择文件夹",
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Drag and drop directories here": "将文件夹拖放到此处",
    "File size is too small.": "文件太小。",
    "Only one file is allowed.": "一次只能上传一个文件。",
    "File type not allowed.": "不接受此类文件。",
    "Uploading...": "正在上传…",
    "Remove file": "移除文件",
    "file upload": "上传文件",
    "add icon": "添加",
    "Error:": "未能上传：",
    # forms and inputs
    "Press Enter to submit form": "按回车键提交",
    "Press Enter to apply": "按回车键确认",
    "Press ⌘+Enter to apply": "按 ⌘+回车键确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车键确认",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Select...": "请选择…",
    "No results": "没有匹配项",
    "No options to select.": "没有可选项。",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    # running, connection, elements
    "Skip to main content": "跳到正文",
    "Running...": "正在运行…",
    "Stop": "停止",
    "Connecting": "正在连接",
    "Please wait...": "请稍候…",
    "Connection error": "连接中断",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Download as CSV": "下载",
    "Search": "搜索",
    "Copy to clipboard": "复制",
    "Copied to clipboard": "已复制",
    # the ⋮ main menu (viewer mode: printing, recording the screen, the theme)
    "Main menu": "主菜单",
    "Print": "打印",
    "Record screen": "录制屏幕",
    "Cancel recording": "取消录制",
    "Stop recording": "停止录制",
    "Theme": "主题",
    "System": "跟随系统",
    "Light": "浅色",
    "Dark": "深色",
    "Made with Streamlit v": "界面框架版本 ",  # its version follows as a text of its own
}
# (regular expression over the whole trimmed text, replacement): texts with numbers in them.
PATTERNS = [
    (r"^(\d+(?:\.\d+)?)\s*([KMG]?B) per file( • .*)?$", r"每个文件不超过 \1\2\3"),
    (r"^Limit (\d+(?:\.\d+)?)\s*([KMG]?B) per file( • .*)?$", r"每个文件不超过 \1\2\3"),
    (r"^File must be (\d+(?:\.\d+)?)\s*([KMG]?B) or smaller\.$", r"文件不能超过 \1\2，请拆分或压缩后重新上传。"),
    (r"^File is too large\. Maximum size is (\d+) bytes\.$", r"文件过大：不能超过 \1 字节。"),
    (r"^(.+) files are not allowed\.$", r"不接受 \1 类型的文件。"),
    (r"^Remove (.+)$", r"移除 \1"),
    (r"^Made with Streamlit v(.+)$", r"界面框架版本 \1"),
]
ATTRIBUTES = ("title", "aria-label", "placeholder")
# Our own content (labels, tables, text, a file's name): never touched, so user text that happens
# to read "Stop" or "Upload" stays as typed.
OURS = ("[data-testid=stMarkdownContainer], [data-testid=stTable], [data-testid=stText], [data-testid=stCode], "
        "[data-testid=stFileUploaderFileName], [data-testid=stSidebarNav], .js-plotly-plot")

_SCRIPT = """<script>
(() => {
  const doc = window.parent ? window.parent.document : document;
  if (doc.__cockpitZhCn) return;
  doc.__cockpitZhCn = true;
  const exact = %(strings)s;
  const patterns = %(patterns)s.map(([re, to]) => [new RegExp(re), to.replace(/\\\\(\\d)/g, "$$$1")]);
  const attrs = %(attrs)s;
  const ours = %(ours)s;
  // A button's label is Streamlit's (the uploader's) or ours (Chinese already): never user text.
  const mine = (node) => { const el = node.nodeType === 1 ? node : node.parentElement;
                           return !el || (!!el.closest(ours) && !el.closest("button")); };
  const say = (text) => {
    const t = text.trim();
    if (!t || !/[A-Za-z]/.test(t)) return null;
    if (exact[t] !== undefined) return text.replace(t, exact[t]);
    for (const [re, to] of patterns) if (re.test(t)) return text.replace(t, t.replace(re, to));
    return null;
  };
  const fix = (root) => {
    if (mine(root)) return;
    if (root.nodeType === 3) {
      const said = say(root.nodeValue);
      if (said !== null && said !== root.nodeValue) root.nodeValue = said;
      return;
    }
    if (root.nodeType !== 1) return;
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (mine(n)) continue;
      const said = say(n.nodeValue);
      if (said !== null && said !== n.nodeValue) n.nodeValue = said;
    }
    for (const el of [root, ...root.querySelectorAll("[title],[aria-label],[placeholder]")]) {
      if (mine(el)) continue;
      for (const a of attrs) {
        const v = el.getAttribute && el.getAttribute(a);
        const said = v && say(v);
        if (said && said !== v) el.setAttribute(a, said);
      }
    }
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "characterData") fix(c.target);
      else if (c.type === "attributes") fix(c.target);
      else c.addedNodes.forEach(fix);
    }
  }).observe(doc.body, {childList: true, subtree: true, characterData: true,
                        attributes: true, attributeFilter: attrs});
  fix(doc.body);
})();
</script>"""


def script() -> str:
    """The <script> that keeps Streamlit's own words Chinese (idempotent: installs once per page)."""
    return _SCRIPT % {"strings": json.dumps(STRINGS, ensure_ascii=False),
                      "patterns": json.dumps(PATTERNS, ensure_ascii=False), "attrs": json.dumps(ATTRIBUTES),
                      "ours": json.dumps(OURS)}


def translate(text: str) -> str:
    """What the script makes of `text` (the same table, for tests and for Python-side use)."""
    import re
    t = text.strip()
    if t in STRINGS:
        return text.replace(t, STRINGS[t])
    for pattern, to in PATTERNS:
        if re.search(pattern, t):
            return text.replace(t, re.sub(pattern, to, t))
    return text
