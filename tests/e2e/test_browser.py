"""Real Chromium against a real server: every page by its URL, no outside request, no traceback."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from PIL import Image

from tests.conftest import ROOT, copy_db
from ui.nav import PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-quic",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = ROOT / "test-results"
# A page is drawn when its script run is over and no placeholder (skeleton) is left to fill.
IDLE = """() => { const app = document.querySelector('.stApp');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
         && !document.querySelector('[data-testid=stSkeleton]'); }"""
# Until the script run is over, nothing is left to draw and the page has not changed for `quiet` ms
# (a run starts a moment after the click that asks for it, and Plotly draws after its element
# exists); true if it settled before `cap` ms.
SETTLED = """([quiet, cap]) => new Promise(done => {
  const start = performance.now();
  let last = start;
  const seen = new MutationObserver(() => { last = performance.now(); });
  seen.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const idle = """ + IDLE + """;
  (function tick() {
    const now = performance.now();
    if (!idle()) last = now;
    if (now - last < quiet && now - start < cap) return setTimeout(tick, 50);
    seen.disconnect();
    done(now - last >= quiet);
  })();
})"""
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:")


def settle(page, quiet: int = 800, cap: int = 240_000) -> None:
    assert page.evaluate(SETTLED, [quiet, cap]), f"页面 {cap / 1000:.0f} 秒内未静止：{page.url}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db_url: str, name: str):
    port = _free_port()
    env = {**os.environ, "COCKPIT_DB_URL": db_url, "COCKPIT_CONFIG": ""}
    OUT.mkdir(exist_ok=True)
    log = open(OUT / f"server-{name}.log", "w")
    # Its own process group: stopping the server also stops a background refit it started.
    proc = subprocess.Popen([sys.executable, "-m", "cockpit", "serve", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"驾驶舱服务未能启动，见 test-results/server-{name}.log")
    return proc, url, log


@contextlib.contextmanager
def serving(db_url: str, name: str):
    proc, url, log = _serve(db_url, name)
    try:
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):  # whatever of the group is still there
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    # A private copy: the /warnings page starts a background refit that writes alerts.
    with serving(copy_db(demo_db, tmp_path_factory.mktemp("browser") / "cockpit.db"), "demo") as url:
        yield url


# Deep pages first: the v1 "pages/" trap bites on the first request after the server starts.
@pytest.mark.parametrize("page", PAGES[::-1], ids=[p.url_path or "root" for p in PAGES[::-1]])
def test_page_opens_by_url_with_the_cockpit_layout(server, browser, page):
    """A wall display opens pages by direct link: same navigation and page config as clicking through."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    outside: list[str] = []
    tab = ctx.new_page()
    tab.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    tab.goto(f"{server}/{page.url_path}")
    tab.get_by_text("数据截至").first.wait_for(timeout=90_000)
    tab.wait_for_load_state("networkidle")
    settle(tab)
    body = tab.inner_text("body")
    title = tab.title()
    # Each link reads "<icon ligature>\n\n<title>"; the title is the last line.
    nav = tab.locator("[data-testid=stSidebarNav] a").all_inner_texts() if len(PAGES) > 1 else []
    shot = OUT / f"{page.url_path or 'overview'}-1920x1080.png"
    tab.screenshot(path=str(shot))
    ctx.close()
    assert outside == []
    assert "Traceback" not in body and "暂时无法显示" not in body
    assert "演示数据" in body or not page.shows_data
    # app.py ran: its navigation (titles, not file names) and its page config.
    assert [n.strip().splitlines()[-1] for n in nav] == ([p.title for p in PAGES] if len(PAGES) > 1 else [])
    assert page.title in title or "商丘市数字政府领导驾驶舱" in title
    # A real picture, not a blank page: many distinct colours.
    assert len(Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20) or []) > 200


def test_overview_draws_tiles_and_the_county_map(server, browser):
    tab = browser.new_page(viewport={"width": 1920, "height": 1080})
    tab.goto(server)
    tab.wait_for_selector("[data-testid=stMetricValue]", timeout=90_000)
    county_map = tab.locator(".js-plotly-plot", has_text="各县区社会消费品零售总额")
    county_map.locator(".main-svg").first.wait_for(timeout=30_000)
    assert county_map.locator("path[style*='fill: rgb']").count() >= 9  # the nine counties, filled
    assert tab.locator("canvas").count() == 0  # no WebGL on the first page
    assert tab.locator("[data-testid=stMetricValue]").count() >= 12 + 6
    tab.close()


# Whether a metric's value is cut short (Streamlit ends it in "…"), and how wide a split's halves are.
CUT = """() => [...document.querySelectorAll('[data-testid=stMetricValue] div, [data-testid=stMetricValue]')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
HALVES = """(key) => [...document.querySelectorAll(`.st-key-${key} [data-testid=stColumn]`)]
  .map(e => Math.round(e.getBoundingClientRect().width))"""


@pytest.mark.parametrize("width,stacked", [(1366, True), (1920, False)])
def test_on_a_laptop_values_are_whole_and_a_chart_and_its_table_stack(server, browser, width, stacked):
    """At 1366 px six headline tiles in a row cut "3,815.15 亿元" to "3,815.15 …", and the 12345 table
    beside its heat map wrapped each county's name one character a line."""
    tab = browser.new_page(viewport={"width": width, "height": 768 if width < 1600 else 1080}, locale="zh-CN")
    tab.goto(server)
    settle(tab)
    assert tab.evaluate(CUT) == []
    values = tab.locator(".st-key-economy_tiles [data-testid=stMetricValue]")
    assert values.count() == 6 and any("亿元" in t for t in values.all_inner_texts())
    tab.goto(server + "/hotline")
    settle(tab)
    halves = tab.evaluate(HALVES, "split_hl_surge")
    main = tab.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').clientWidth")
    assert len(halves) == 2
    if stacked:  # each half the main column's whole width (less its padding)
        assert min(halves) > 0.8 * main, (halves, main)
    else:  # side by side, as on a wall or a desk monitor
        assert sum(halves) < main and min(halves) > 0.3 * main, (halves, main)
    tab.close()


XSS = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>"


def test_user_text_is_shown_as_text_never_run(demo_db, browser, tmp_path):
    """Script and img-onerror strings in an alert and a note appear literally and never execute."""
    import datetime as dt

    from cockpit import annotations, schema as s
    from cockpit.store import Store
    copy = copy_db(demo_db, tmp_path / "xss.db")
    store = Store(copy)
    now = dt.datetime.now()
    with store.begin() as conn:
        conn.execute(s.alerts.insert().values(rule="test", subject="xss", level=1, state="firing", title=XSS,
                                              message=XSS, started_at=now, updated_at=now))
    annotations.add(store, indicator_code="GDP", region_code="411400", period="2026-09", text=XSS, author=XSS)
    with serving(copy, "xss") as url:
        for path in ("", "economy"):
            tab = browser.new_page(viewport={"width": 1920, "height": 1080})
            tab.goto(f"{url}/{path}")
            tab.get_by_text("数据截至").first.wait_for(timeout=90_000)
            settle(tab)
            if path == "economy":
                tab.get_by_text("批注（1 条）").click()
                settle(tab)
            assert tab.evaluate("window.__xss") is None
            assert tab.locator("img[src=x]").count() == 0
            if not path:
                assert "<script>window.__xss=2</script>" in tab.inner_text("body")
            tab.close()


# Per table: cells and headings that take more than one line though they are short (a number, a date,
# a county's name, a status, a time; a heading of up to 8 characters; a longer heading broken
# elsewhere than at a space or a bracket), whether a long text still wraps, and
# whether the table is wider than its box (it then scrolls sideways as a whole).
WRAPPED = """() => {
  const lines = el => {  // line boxes of the element's text
    const tops = new Set(), w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const r = document.createRange(); r.selectNodeContents(n);
      for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top));
    }
    return tops.size; };
  const size = el => el.innerText.replace(/\\s/g, '').length;
  const breaksInWord = el => {  // a heading's line ends inside a word, not at a space or a bracket
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), chars = [];
    for (let n = w.nextNode(); n; n = w.nextNode())
      for (let i = 0; i < n.length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const box = r.getClientRects()[0];
        if (box && box.width > 0) chars.push([n.nodeValue[i], Math.round(box.top), n.nodeValue[i - 1] || '']);
      }
    return chars.some(([c, top, before], i) => i > 0 && top !== chars[i - 1][1] &&  // a new line starts here
      !/\\s/.test(before) && !/[（(]/.test(c) && !/[）)、，]/.test(before)); };
  const out = [];
  for (const box of document.querySelectorAll('[data-testid=stTable]')) {
    const t = box.querySelector('table');
    if (!t || !t.getClientRects().length) continue;
    const heads = [...t.querySelectorAll('thead th')];
    const rows = [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')]);
    const broken = [], wraps = [];
    heads.forEach((th, i) => {
      const column = rows.map(r => r[i]).filter(Boolean);
      if ((size(th) <= 8 && lines(th) > 1) || breaksInWord(th)) broken.push(th.innerText.trim());
      column.filter(td => /^\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2})?$/.test(td.innerText.trim()) && lines(td) > 1)
        .forEach(td => broken.push(`${th.innerText.trim()}：${td.innerText.trim()}`));  // a time, however long
      if (column.length && column.every(td => size(td) <= 10)) {  // a column of short values
        column.filter(td => lines(td) > 1).forEach(td => broken.push(`${th.innerText.trim()}：${td.innerText.trim()}`));
      } else if (column.some(td => lines(td) > 1)) wraps.push(th.innerText.trim());
    });
    const frame = t.parentElement;
    out.push({heads: heads.map(th => th.innerText.trim()), broken, wraps,
              scrolls: frame.scrollWidth > frame.clientWidth + 1});
  }
  return out;
}"""


def test_the_warning_filters_show_their_chosen_states_whole_on_a_laptop(server, browser):
    """At 1366 px the 状态 filter, a quarter of the row, cut its third default state and faded the second."""
    tab = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    tab.goto(f"{server}/warnings")
    tab.get_by_text("数据截至").first.wait_for(timeout=90_000)
    settle(tab)
    box = tab.locator("[data-testid=stMultiSelect]").first
    chips = box.locator(".react-aria-ComboBox [data-tag]")
    assert chips.count() == 3
    right = box.locator(".react-aria-ComboBox").bounding_box()
    edge = right["x"] + right["width"]
    assert all(chips.nth(i).bounding_box()["x"] + chips.nth(i).bounding_box()["width"] <= edge - 40
               for i in range(3)), [chips.nth(i).bounding_box() for i in range(3)]  # clear of the ⓧ and ∨
    tab.close()


@pytest.mark.parametrize("width", [1366, 1920])
def test_short_values_and_headings_keep_to_one_line_on_a_laptop_and_a_desk_monitor(server, browser, width):
    """At 1366 px every cell of 督查督办 broke one character a line ("序/号", "2026-/09-30", "市保/密局",
    "1,072/天") and 应急指挥's counties split ("梁园/区"); at 1920 the 黑榜 heading read "逾期未完/成"
    and 公共卫生's "病例近 3 年同/月最高".
    A task's text still wraps; at 1920 every table fits its column without scrolling."""
    tab = browser.new_page(viewport={"width": width, "height": 768 if width < 1600 else 1080}, locale="zh-CN")
    for path in ("tasks", "emergency", "economy"):
        tab.goto(f"{server}/{path}")
        tab.get_by_text("数据截至").first.wait_for(timeout=90_000)
        settle(tab)
        tab.evaluate("""() => document.querySelectorAll('[data-testid=stExpander] summary').forEach(s => {
            if (s.getClientRects().length && !s.parentElement.open) s.click(); })""")
        settle(tab)
        found = tab.evaluate(WRAPPED)
        assert len(found) >= {"tasks": 7, "emergency": 3, "economy": 2}[path], found
        assert [(t["heads"][:3], t["broken"]) for t in found if t["broken"]] == [], path
        if path == "tasks":
            overdue = next(t for t in found if "逾期时长" in t["heads"])
            assert "任务内容" in overdue["wraps"]  # long text still wraps, the table still fits
        assert [t["heads"][:3] for t in found if t["scrolls"]] == [], path  # 经济运行's at 1366 did
    tab.close()
