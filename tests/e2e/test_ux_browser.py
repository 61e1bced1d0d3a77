"""Every page as an admin sees it (so every control shows), in real Chromium at 1920×1080: no text
cut off or spilling out of its box, no table scrolling inside itself, no English word outside an
allowlist; the plan cards of a row equally tall, the audit log without empty rows, a table's own
Excel download audited."""
from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook

from cockpit import auth, schema as s
from cockpit.store import Store
from tests.conftest import copy_db
from tests.e2e.test_browser import OUT, serving, settle
from ui.nav import PAGES

ADMIN, PW = "管理员", "correct horse battery"
# Latin a reader may meet in a Chinese statistics office's own papers: units and codes, file kinds,
# encodings, the names of statistical methods and measures.
ALLOWED = {"PM", "GDP", "CPI", "PPI", "xlsx", "csv", "CSV", "Excel", "GBK", "UTF", "MB", "KB", "STL", "ARIMA",
           "ETS", "Theta", "MASE", "sMAPE", "Ctrl", "IPv",
           "cnmaps"}  # the county outlines' source, named as its licence asks
TABS = {"warnings": ["预警列表", "预测与目标研判", "规则设置"], "upload": ["上传报表", "下载模板", "报送情况", "报送历史"]}

# Text whose box is too small for it (cut off, or spilling out), outside deliberate ellipsis with
# its full text on hover; tables that scroll inside themselves; Streamlit's canvas grid at all.
OVERFLOW = """() => {
  const out = [];
  const block = (el) => { while (el && getComputedStyle(el).display.startsWith('inline')) el = el.parentElement;
                          return el; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue.trim() || !(n.parentElement instanceof HTMLElement)) continue;
    const el = block(n.parentElement);
    if (!el || seen.has(el) || el.closest('.st-key-cockpit_zh_cn, [data-testid=stIconMaterial], svg')) continue;
    seen.add(el);
    if (!el.getClientRects().length || el.clientWidth < 4) continue;  // hidden, or for screen readers only
    const style = getComputedStyle(el);
    const deliberate = style.textOverflow === 'ellipsis' && (el.title || el.closest('[title]'));
    const wide = el.scrollWidth > el.clientWidth + 1;
    const tall = ['hidden', 'clip'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if ((wide || tall) && !deliberate) out.push('文字超出：' + el.innerText.slice(0, 60));
  }
  for (const t of document.querySelectorAll('[data-testid=stTable], [data-testid=stTable] *')) {
    const st = getComputedStyle(t);
    if ((['auto', 'scroll'].includes(st.overflowY) && t.scrollHeight > t.clientHeight + 1) ||
        (['auto', 'scroll'].includes(st.overflowX) && t.scrollWidth > t.clientWidth + 1))
      out.push('表格内滚动：' + t.innerText.slice(0, 60));
  }
  document.querySelectorAll('[data-testid=stDataFrame]').forEach(() => out.push('画布表格（会截断文字）'));
  return out;
}"""
# What a person reads: the visible text of the page, without icon ligatures, our hidden script,
# a file's own name and the charts (whose words the charts' own browser test checks).
READ = """() => {
  const skip = '[data-testid=stIconMaterial], [translate=no], .st-key-cockpit_zh_cn, script, style, noscript, ' +
               '.js-plotly-plot, [data-testid=stFileChipName]';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest(skip) && el.getClientRects().length) out.push(n.nodeValue);
  }
  return out.join(' ');
}"""


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    url = copy_db(demo_db, tmp_path_factory.mktemp("ux") / "cockpit.db")
    auth.add_user(Store(url), ADMIN, "admin", PW)
    return url


@pytest.fixture(scope="module")
def tab(db, browser):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", accept_downloads=True)
    with serving(db, "ux") as url:
        page = ctx.new_page()
        page.goto(url)
        page.get_by_label("用户名", exact=True).fill(ADMIN, timeout=120_000)
        page.get_by_label("密码", exact=True).fill(PW)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("数据截至").first.wait_for(timeout=120_000)
        yield page
    ctx.close()


def _open(page, spec) -> None:
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=spec.title).first.click()
    page.wait_for_url(lambda u: urlparse(u).path.strip("/") == spec.url_path, timeout=120_000)
    settle(page)


def _check(page, where: str) -> None:
    page.evaluate("""() => document.querySelectorAll('[data-testid=stExpander] summary').forEach(s => {
        if (s.getClientRects().length && !s.parentElement.open) s.click(); })""")  # hidden text is read too
    settle(page)
    assert page.evaluate("""() => [...document.querySelectorAll('[data-testid=stExpander] details:not([open])')]
        .filter(d => d.getClientRects().length).length""") == 0, f"{where}: 有折叠区未展开"
    problems = page.evaluate(OVERFLOW)
    assert problems == [], f"{where}: {problems}"
    words = set(re.findall(r"[A-Za-z]{2,}", page.evaluate(READ))) - ALLOWED  # ("x" marks an unpublished figure)
    assert not words, f"{where}: {sorted(words)}"


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path or "overview" for p in PAGES])
def test_every_label_whole_no_table_scrolls_and_every_word_chinese(tab, spec):
    _open(tab, spec)
    name = spec.url_path or "overview"
    for label in TABS.get(spec.url_path, [None]):
        if label:
            tab.get_by_role("tab", name=label).click()
            settle(tab)
        _check(tab, f"{spec.title}{' › ' + label if label else ''}")
    tab.screenshot(path=str(OUT / f"ux-{name}-1920x1080.png"), full_page=True)


def test_the_main_menu_speaks_chinese(tab):
    """The ⋮ menu a viewer can open on every page (print, record the screen, theme, the version)."""
    _open(tab, PAGES[0])
    tab.get_by_test_id("stMainMenuButton").click()
    menu = tab.get_by_test_id("stMainMenuList")
    menu.wait_for()
    settle(tab)
    text = menu.locator("xpath=..").inner_text()  # the list, and the version line below it
    assert "打印" in text and "界面框架版本" in text, text
    assert not set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED, text
    tab.keyboard.press("Escape")


def test_the_plan_cards_of_a_row_are_equally_tall(tab):
    _open(tab, PAGES[0])
    heights = tab.evaluate("""() => [...document.querySelectorAll('.st-key-plan_tiles [data-testid=stHorizontalBlock]')]
        .map(row => [...row.querySelectorAll(':scope > [data-testid=stColumn]')].map(col =>
            Math.round(col.querySelector('[data-testid=stVerticalBlock] [data-testid=stVerticalBlock]')
                .getBoundingClientRect().height)))""")
    assert len(heights) == 2 and all(len(set(row)) == 1 for row in heights), heights


def test_short_headings_and_short_values_keep_to_one_line_on_a_wall_width(tab):
    """/tasks at 1920: 序号, 部分, 逾期时长 read one character a line before; the task text still wraps."""
    _open(tab, next(p for p in PAGES if p.url_path == "tasks"))
    lines = tab.evaluate("""() => {
      const t = document.querySelector('.st-key-table_t_overdue [data-testid=stTable] table');
      const count = el => {  // line boxes of the cell's text
        const tops = new Set(), w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let n = w.nextNode(); n; n = w.nextNode()) {
          const r = document.createRange(); r.selectNodeContents(n);
          for (const x of r.getClientRects()) tops.add(Math.round(x.top));
        }
        return tops.size; };
      const heads = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
      const row = [...t.querySelectorAll('tbody tr')].find(tr => tr.innerText.includes('2023年12月底前'));
      return {heads: Object.fromEntries([...t.querySelectorAll('thead th')].map((th, i) => [heads[i], count(th)])),
              cells: Object.fromEntries([...row.querySelectorAll('td')].map((td, i) => [heads[i], count(td)]))};
    }""")
    assert set(lines["heads"].values()) == {1}, lines["heads"]
    short = ["序号", "部分", "任务时限", "最新状态", "完成进度", "逾期时长", "进度灯", "最近报送"]
    assert all(lines["cells"][h] == 1 for h in short), lines["cells"]


def test_the_audit_log_has_a_row_per_entry_and_a_tables_download_is_audited(tab, db):
    _open(tab, PAGES[0])
    with tab.expect_download(timeout=120_000) as download:
        tab.locator(".st-key-table_map_table").get_by_role("button", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert book["A1"].value == "各县区社会消费品零售总额" and isinstance(book.cell(row=book.max_row, column=2).value, float)
    assert any(str(c.value).startswith("演示数据") for c in book["A"][:8])
    settle(tab)
    audit = Store(db).frame(s.audit_log.select())
    assert (audit.action == "export").sum() == 1 and audit[audit.action == "export"].actor.iloc[0] == ADMIN
    _open(tab, next(p for p in PAGES if p.url_path == "admin"))
    rows = tab.locator(".st-key-table_a_audit [data-testid=stTable] tbody tr")
    texts = [r.inner_text().strip() for r in rows.all()]
    assert len(texts) == min(len(Store(db).frame(s.audit_log.select())), 20) and all(texts)
