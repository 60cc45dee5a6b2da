"""The web explorer (`nianbao site`): built from a warehouse of the real corpus and the bundled
samples, checked against DuckDB cell by cell, then opened in Chromium from file:// — the 平潭 2021
profile, a provenance click on the 洪泽 2023 PDF, a ranking against SQL — with every request the
browser makes recorded (none may leave the site). Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from selectolax.lexbor import LexborHTMLParser

from pipelines.definitions import build_defs
from tests.conftest import REPO, SAMPLES, copy_real_reports, q, truth
from warehouse.site import images
from warehouse.site.build import SiteSummary, build_site
from warehouse.site.model import METRICS
from warehouse.site.pages import display
from warehouse.site.vendor import _integrity, packages

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def site_db(tmp_path_factory) -> Path:
    src = copy_real_reports(tmp_path_factory.mktemp("site-src"))
    for p in SAMPLES.iterdir():
        shutil.copy(p, src / p.name)
    db = tmp_path_factory.mktemp("site-wh") / "warehouse.duckdb"
    assert build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success
    return db


@pytest.fixture(scope="module")
def site(site_db: Path, tmp_path_factory) -> tuple[Path, SiteSummary]:
    out = tmp_path_factory.mktemp("site")
    return out, build_site(site_db, out)


def page_of(site: Path, db: Path, canonical_name: str) -> Path:
    from warehouse.site.model import Agency, agencies

    with duckdb.connect(str(db), read_only=True) as c:
        found: list[Agency] = [a for a in agencies(c) if a.name == canonical_name]
    assert len(found) == 1, canonical_name
    return site / found[0].href


def cells_in_page(html: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(report_id, cell key) → (text, class) of every value cell, keyed as site.js keys them."""
    tree = LexborHTMLParser(html)
    out = {}
    for table in tree.css("table.t"):
        rid, cols = table.attributes["data-r"], None
        for tr in table.css("tr"):
            if "hdr" in (tr.attributes.get("class") or ""):
                cols = tr.attributes["data-cols"].split(",")
                continue
            if "data-c" not in tr.attributes:
                continue
            for i, td in enumerate(tr.css("td")):
                key = (f"4|{cols[i]}.{tr.attributes['data-c']}" if table.attributes["data-table"] == "T4"
                       else f"{tr.attributes['data-c']}|{cols[i]}")
                out[(rid, key)] = (td.text(deep=True), td.attributes.get("class"))
    return out


# --- the pages against the warehouse ------------------------------------------------------------

def test_every_printed_cell_is_in_its_agency_page_as_printed(site: tuple[Path, SiteSummary], site_db: Path) -> None:
    out, summary = site
    rows = q(site_db, """
        SELECT a.agency_key, g.canonical_name, f.report_id, f.cell_key, f.value, f.raw_token FROM (
            SELECT report_id, category_code || '|' || applicant_code AS cell_key, CAST(value AS VARCHAR) AS value, raw_token FROM fact_applications
            UNION ALL SELECT report_id, row_code || '|' || col_code, CAST(value AS VARCHAR), raw_token FROM fact_proactive_disclosure
            UNION ALL SELECT report_id, '4|' || col_code, CAST(value AS VARCHAR), raw_token FROM fact_review_litigation) f
        JOIN report_agencies a USING (report_id) JOIN agencies g USING (agency_key)""")
    assert len(rows) == 2702 + 208 + 240
    pages: dict[str, dict] = {}
    wrong, blanks = [], 0
    for _key, name, rid, cell, value, raw in rows:
        if name not in pages:
            pages[name] = cells_in_page(page_of(out, site_db, name).read_text(encoding="utf-8"))
        text, cls = pages[name][(rid, cell)]
        expect = raw if raw not in (None, "") else (value or "")
        if value is None:
            blanks += 1
            if cls != "blank" or text != (raw if (raw or "").strip() else "") or text == "0":
                wrong.append((name, rid, cell, raw, text, cls))
        elif text != expect:
            wrong.append((name, rid, cell, expect, text, cls))
    assert wrong == []
    assert blanks > 0  # the corpus prints blanks ('/', '—', empty): shown as printed, never as 0
    assert summary.agency_years == q(site_db, """SELECT count(DISTINCT (a.agency_key, r.year)) FROM reports r
                                                 JOIN report_agencies a USING (report_id)""")[0][0]


def test_pingtan_2021_new_applications_total_is_70_in_its_page(site: tuple[Path, SiteSummary], site_db: Path) -> None:
    out, _ = site
    (rid,) = q(site_db, "SELECT report_id FROM current_reports WHERE agency_id = '平潭综合实验区' AND year = 2021")[0]
    cells = cells_in_page(page_of(out, site_db, "平潭综合实验区").read_text(encoding="utf-8"))
    assert cells[(rid, "3.1|total")] == ("70", None)
    assert truth("pingtan-2021")["cells"]["3.1|total"] == 70


def test_pdf_cells_point_at_their_rendered_page(site: tuple[Path, SiteSummary], site_db: Path) -> None:
    """Every PDF cell of 洪泽 2023 names a page image of that page (rendered at SCALE) and its stored box."""
    import pypdfium2 as pdfium
    from PIL import Image

    out, _ = site
    rid, sha, path = q(site_db, """SELECT report_id, sha256, bytes_at FROM report_documents
                                   WHERE agency_id = '洪泽区人民政府' AND year = 2023""")[0]
    html = page_of(out, site_db, "淮安市洪泽区人民政府").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="nb-data">(.*?)</script>', html, re.S).group(1))
    report = data["reports"][rid]
    stored = {k: (p, json.loads(b)) for k, p, b in q(site_db, "SELECT cell_key, page, bbox FROM cell_provenance WHERE report_id = ?", [rid])}
    assert set(report["cells"]) == set(stored)
    pdf = pdfium.PdfDocument(path)
    for key, entry in report["cells"].items():
        kind, rel, page = report["files"][entry[3]]
        assert (kind, rel, page) == ("p", images.page_image_path(sha, stored[key][0]), stored[key][0])
        assert entry[4:8] == [round(v, 1) for v in stored[key][1]]
    for _kind, rel, page in report["files"]:
        w, h = pdf[page - 1].get_size()
        size = Image.open(out / rel).size  # PDFium rounds a fractional pixel up
        assert abs(size[0] - w * images.SCALE) < 1 and abs(size[1] - h * images.SCALE) < 1, (size, w, h)


def _expected_ranking(db: Path, metric: str, year: int) -> list[tuple[str, str, float | None]]:
    """Written independently of the site's query: ranked agencies by value, then the rest by name."""
    m = next(m for m in METRICS if m.code == metric)
    ranked = q(db, f"""SELECT v.agency_key, g.canonical_name, CAST({m.column} AS DOUBLE) FROM {m.view} v JOIN agencies g USING (agency_key)
                       WHERE v.year = ? AND {m.column} IS NOT NULL""", [year])
    ranked.sort(key=lambda r: (-r[2], r[1], r[0]))
    rest = q(db, f"""SELECT o.agency_key, o.canonical_name FROM roster o WHERE o.year = ? AND o.agency_key NOT IN
                     (SELECT agency_key FROM {m.view} WHERE year = ? AND {m.column} IS NOT NULL)
                     ORDER BY o.canonical_name, o.agency_key""", [year, year])
    status = dict(q(db, "SELECT agency_key, status FROM roster WHERE year = ?", [year]))
    return [(k, status[k], v) for k, _n, v in ranked] + [(k, status[k], None) for k, _n in rest]


@pytest.mark.parametrize("metric", [m.code for m in METRICS])
def test_ranking_data_follows_sql(site: tuple[Path, SiteSummary], site_db: Path, metric: str) -> None:
    out, _ = site
    keys = [row[0] for row in json.loads(re.search(r"=(.*);", (out / "data" / "agencies.js").read_text(encoding="utf-8")).group(1))]
    years = [y for (y,) in q(site_db, "SELECT DISTINCT year FROM roster ORDER BY year")]
    assert years
    for year in years:
        text = (out / "data" / "rank" / metric / f"{year}.js").read_text(encoding="utf-8")
        rows = json.loads(re.search(rf"NB_RANK\(\"{metric}\",{year},(.*)\);", text).group(1))
        got = [(keys[i], status, value) for i, status, value in rows]
        assert got == _expected_ranking(site_db, metric, year), (metric, year)


def test_the_site_requests_nothing_outside_itself(site: tuple[Path, SiteSummary]) -> None:
    """Scripts, styles and images are the site's own files; the only outside addresses are links a
    person may follow (a report's source URL). The vendored library is the pinned registry file."""
    import io
    import tarfile

    out, _ = site
    for page in out.rglob("*.html"):
        if "archive" in page.parts:
            continue  # archived copies of web pages are the publisher's bytes, kept as they were
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for node in tree.css("script[src], link[href], img[src], iframe, object, embed"):
            ref = node.attributes.get("src") or node.attributes.get("href") or ""
            assert not re.match(r"(?i)^(https?:)?//", ref), (page, ref)
            assert (page.parent / ref).resolve().is_file(), (page, ref)
    (pkg,) = packages()
    from warehouse.site.vendor import tarball

    data = tarball(pkg)
    assert _integrity(data) == pkg.integrity
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert (out / "assets" / "chart.umd.min.js").read_bytes() == tar.extractfile("package/dist/chart.umd.min.js").read()


def _archive_links(page: Path) -> list[tuple[str, str]]:
    """(sha256 shown, archived-copy href) of every version listed in an agency page."""
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    out = []
    for li in tree.css("ul.versions li"):
        link = next(a for a in li.css("a") if a.text() == "archived copy")
        out.append((li.css_first("code").text(), link.attributes["href"]))
    return out


def test_every_version_links_its_archived_copy(site: tuple[Path, SiteSummary], site_db: Path, tmp_path: Path) -> None:
    """In the site by default (the bytes of that version), or under --archive-url in the raw archive's layout."""
    import hashlib

    out, _ = site
    versions = q(site_db, "SELECT sha256 FROM reports WHERE agency_id IS NOT NULL ORDER BY 1")
    links = [link for page in sorted((out / "agency").rglob("*.html")) for link in _archive_links(page)]
    assert sorted(sha for sha, _ in links) == sorted(sha[:12] for (sha,) in versions)
    for page in (out / "agency").rglob("*.html"):
        for shown, href in _archive_links(page):
            data = (page.parent / href).resolve().read_bytes()
            assert hashlib.sha256(data).hexdigest().startswith(shown), (page, href)
    elsewhere = tmp_path / "site"
    build_site(site_db, elsewhere, archive_url="https://archive.example.org/raw/")
    assert not (elsewhere / "archive").exists()
    hrefs = sorted(href for page in (elsewhere / "agency").rglob("*.html") for _, href in _archive_links(page))
    assert hrefs == sorted(f"https://archive.example.org/raw/{sha[:2]}/{sha}" for (sha,) in versions)


def test_a_rebuild_renders_only_what_is_new(site: tuple[Path, SiteSummary], site_db: Path) -> None:
    out, first = site
    rendered = sorted((out / "pages").rglob("*.webp"))
    assert len(rendered) == first.page_images > 0
    before = {p: p.stat().st_mtime_ns for p in rendered}
    again = build_site(site_db, out)
    assert again.problems == [] and again.archived == 0
    assert {p: p.stat().st_mtime_ns for p in sorted((out / "pages").rglob("*.webp"))} == before


def test_blank_cells_display_their_printed_token_never_zero() -> None:
    from warehouse.site.model import Cell

    def cell(value: str | None, raw: str | None) -> Cell:
        return Cell("3.1|np", value, raw, (0, 1, 2), None, None, None, None)

    assert display(cell(None, "/"))[:2] == ("/", "blank")
    assert display(cell(None, "—"))[:2] == ("—", "blank")
    assert display(cell(None, ""))[:2] == ("", "blank")
    assert display(None)[:2] == ("", "absent")
    assert display(cell("0", "0"))[:2] == ("0", "n")
    assert display(cell("24252.311082", "24252.311082"))[0] == "24252.311082"


def test_cli_without_a_warehouse_says_so(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "site", "--db", str(tmp_path / "none.duckdb"),
                           "--out", str(tmp_path / "site")], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: no warehouse at {tmp_path / 'none.duckdb'} (run `make ingest` first)"


# --- in a browser -------------------------------------------------------------------------------

@pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("NIANBAO_REQUIRE_BROWSER") != "1",
                    reason="Debian chromium not installed; `make system-deps` installs it (CI does)")
def test_the_explorer_in_a_browser(site: tuple[Path, SiteSummary], site_db: Path) -> None:
    from playwright.sync_api import sync_playwright

    out, _ = site
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        # search by a printed name, open the 平潭 profile, read 2021 table 3 '3.1|total'
        page.goto((out / "search.html").as_uri() + "?q=平潭")
        page.get_by_role("link", name="平潭综合实验区").click()
        page.wait_for_load_state("load")
        (rid,) = q(site_db, "SELECT report_id FROM current_reports WHERE agency_id = '平潭综合实验区' AND year = 2021")[0]
        cell = page.locator(f'table[data-table="T3"][data-r="{rid}"] tr[data-c="3.1"] td').nth(6)
        assert cell.inner_text() == "70"
        page.screenshot(path=str(ARTIFACTS / "site-pingtan-profile.png"))
        cell.click()
        assert page.locator("#prov-token").inner_text() == "70"
        assert page.locator("#prov-grid td.mark").inner_text() == "70"
        page.screenshot(path=str(ARTIFACTS / "site-pingtan-provenance.png"))
        page.keyboard.press("Escape")

        # 洪泽 2023 (PDF): click 3.3.1|np, the page image shows with the box at the stored bbox
        page.goto(page_of(out, site_db, "淮安市洪泽区人民政府").as_uri())
        (rid, page_no, bbox) = q(site_db, """SELECT p.report_id, p.page, p.bbox FROM cell_provenance p JOIN reports r USING (report_id)
                                           WHERE r.agency_id = '洪泽区人民政府' AND r.year = 2023 AND p.cell_key = '3.1|total'""")[0]
        bbox = json.loads(bbox)
        page.locator(f'table[data-table="T3"][data-r="{rid}"] tr[data-c="3.1"] td').nth(6).click()
        page.locator('#prov-box[data-ready="1"]').wait_for(timeout=10_000)
        assert page.locator("#prov-token").inner_text() == "21"
        geometry = page.evaluate("""() => { const i = document.querySelector('#prov-page img').getBoundingClientRect();
            const b = document.querySelector('#prov-box').getBoundingClientRect();
            const img = document.querySelector('#prov-page img');
            return {ix: i.x, iy: i.y, iw: i.width, nw: img.naturalWidth, bx: b.x, by: b.y, bw: b.width, bh: b.height,
                    src: img.getAttribute('src')}; }""")
        px = geometry["iw"] / geometry["nw"] * images.SCALE  # screen pixels per PDF point
        assert geometry["src"].endswith(f"-p{page_no}.webp")
        for got, want in ((geometry["bx"] - geometry["ix"], bbox[0]), (geometry["by"] - geometry["iy"], bbox[1]),
                          (geometry["bw"], bbox[2] - bbox[0]), (geometry["bh"], bbox[3] - bbox[1])):
            assert abs(got - want * px) < 1.5, (geometry, bbox)
        shot = ARTIFACTS / "site-hongze-2023-provenance.png"
        page.screenshot(path=str(shot))
        # the box sits on printed ink (the token), not on empty paper
        from PIL import Image

        box = page.locator("#prov-box").bounding_box()
        crop = Image.open(shot).convert("L").crop((int(box["x"]) + 3, int(box["y"]) + 3,
                                                   int(box["x"] + box["width"]) - 3, int(box["y"] + box["height"]) - 3))
        assert sum(crop.histogram()[:100]) > 10
        page.keyboard.press("Escape")

        # a ranking against SQL, with missing reports marked
        for metric, year in (("new_applications", 2024), ("disclose_rate", 2023)):
            page.goto((out / "rankings.html").as_uri() + f"?metric={metric}&year={year}")
            page.wait_for_function(f"document.body.dataset.ranking === '{metric}/{year}'")
            shown = page.evaluate("""() => [...document.querySelectorAll('#ranking tbody tr')].map(
                tr => [tr.dataset.key, tr.className, tr.cells[0].textContent])""")
            expected = _expected_ranking(site_db, metric, year)
            assert [k for k, _c, _r in shown] == [k for k, _s, _v in expected]
            for (_k, cls, rank), (_k2, status, value) in zip(shown, expected, strict=True):
                assert f"st-{status}" in cls and (("unranked" in cls) == (value is None)) and (rank == "") == (value is None)
            page.screenshot(path=str(ARTIFACTS / f"site-ranking-{metric}-{year}.png"), full_page=True)
        assert any(s == "missing" for _k, s, _v in _expected_ranking(site_db, "new_applications", 2024))
        assert any(s == "invalid" for _k, s, _v in _expected_ranking(site_db, "disclose_rate", 2023))

        page.goto((out / "index.html").as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / "site-overview.png"), full_page=True)
        browser.close()
    assert errors == []
    site_prefix = out.resolve().as_uri() + "/"
    outside = [u for u in requests if not u.startswith(site_prefix)]
    assert requests and outside == []  # offline: nothing but the site's own files
    for shot in ("site-pingtan-profile.png", "site-hongze-2023-provenance.png", "site-overview.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000, shot


def test_make_site_after_make_ingest_builds_the_samples_site(tmp_path: Path) -> None:
    """The README's commands: `make ingest` (bundled samples), then `make site`."""
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "NIANBAO_DATA_DIR": str(tmp_path / "data")}
    db, out = tmp_path / "w.duckdb", tmp_path / "site"
    for target in ("ingest", "site"):
        proc = subprocess.run(["make", "--no-print-directory", target, f"DB={db}", f"SITE={out}"], cwd=REPO, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"open file://{out}/index.html" in proc.stdout
    names = q(tmp_path / "published" / "w.duckdb", "SELECT canonical_name FROM agencies ORDER BY 1")
    pages = sorted(LexborHTMLParser(p.read_text(encoding="utf-8")).css_first("h1").text() for p in (out / "agency").rglob("*.html"))
    assert pages == [n for (n,) in names] and len(pages) == 4  # the four sample agencies
    assert (out / "index.html").is_file() and (out / "rankings.html").is_file() and (out / "search.html").is_file()


def test_an_unreadable_pdf_page_is_named_and_the_rest_renders(tmp_path: Path) -> None:
    """A broken or vanished archived PDF never stops the build: its page is reported by document and page."""
    good = next(iter(sorted((REPO / "tests" / "fixtures" / "forge").glob("*.pdf"))))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n not really a pdf")
    jobs = [images.PageJob(str(broken), 1, str(tmp_path / "out" / "b-p1.webp")),
            images.PageJob(str(tmp_path / "gone.pdf"), 2, str(tmp_path / "out" / "g-p2.webp")),
            images.PageJob(str(good), 1, str(tmp_path / "out" / "ok-p1.webp"))]
    problems = images.render_pages(jobs, workers=1)
    assert [p.split(":")[0] for p in problems] == [f"{broken} page 1", f"{tmp_path / 'gone.pdf'} page 2"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok-p1.webp"]


# --- issue #27: what the published site shows ----------------------------------------------------

@pytest.fixture(scope="module")
def folder_site(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(source folder, warehouse, site) of the bundled samples plus a document that fails to parse and
    two agencies tied with others, ingested from a folder of its own; the raw archive is in the same
    temporary tree. Every sample agency's region is unresolved (their names are forged)."""
    base = tmp_path_factory.mktemp("folder-site")
    src = base / "reports"
    src.mkdir()
    for p in SAMPLES.iterdir():
        shutil.copy(p, src / p.name)
    (src / "broken-2021.pdf").write_bytes(b"%PDF-1.7\n not really a pdf")
    # two more agencies, for ties: 南川 prints what 北川 2023 prints (3.1|total 5, 予以公开率 0); 东溪 2023
    # prints what 西溪 2022 prints (3.1|total 4)
    (src / "twin-nanchuan.html").write_text((SAMPLES / "forge-07-2021-t3err.html").read_text(encoding="utf-8")
                                            .replace("北川市生态环境局", "南川市生态环境局"), encoding="utf-8")
    (src / "twin-dongxi.html").write_text((SAMPLES / "forge-01-2021.html").read_text(encoding="utf-8")
                                          .replace("西溪区教育局2022", "东溪区教育局2023"), encoding="utf-8")
    db = base / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("NIANBAO_DATA_DIR", str(base / "data"))
    mp.setenv("DAGSTER_HOME", str(base / "home"))
    (base / "home").mkdir()
    try:
        assert build_defs(str(db), str(src)).resolve_job_def("nightly_ingest").execute_in_process(raise_on_error=False).success
    finally:
        mp.undo()
    out = base / "site"
    build_site(db, out)
    return src, db, out


def test_the_site_shows_no_absolute_path_of_the_builder(folder_site: tuple[Path, Path, Path]) -> None:
    """Point 8: the failure of broken-2021.pdf and every path are shown relative to their source."""
    src, db, out = folder_site
    base = src.parent
    # the warehouse itself does hold the absolute paths (what a re-parse reads) …
    assert q(db, "SELECT count(*) FROM parse_failures WHERE source = ?", [str(src / "broken-2021.pdf")])[0][0] == 1
    leaks = []
    for f in out.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            leaks += [(f, root) for root in {str(base), str(base.resolve()), str(REPO)} if root.encode() in data]
    assert leaks == []  # … the site none of them, nor the worktree's
    index = LexborHTMLParser((out / "index.html").read_text(encoding="utf-8"))
    rows = [[td.text(deep=True) for td in tr.css("td")] for tr in index.css("#problems tr") if tr.css("td")]
    broken = [r for r in rows if r[2] == "broken-2021.pdf"]
    assert len(broken) == 1
    assert broken[0][6] == "broken-2021.pdf: not a readable PDF (Failed to load document (PDFium: Data format error).)"


def _page_data(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="nb-data">(.*?)</script>', html, re.S).group(1))


def test_every_chart_series_has_its_own_colour_and_the_formats_chinese_name(folder_site: tuple[Path, Path, Path]) -> None:
    """Point 9: no two series of a chart share a colour; series are named as the 2021 format names them."""
    _src, db, out = folder_site
    overview = {c["id"]: c for c in _page_data(out / "index.html")["charts"]}
    assert sorted(overview) == ["chart-applications", "chart-outcomes", "chart-rl"]
    assert [s["label"] for s in overview["chart-applications"]["datasets"]] == ["本年新收政府信息公开申请数量", "本年度办理结果·总计"]
    assert [s["label"] for s in overview["chart-outcomes"]["datasets"]] == [
        "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert [s["label"] for s in overview["chart-rl"]["datasets"]] == [
        "行政复议·维持", "行政复议·纠正", "行政复议·其他", "行政复议·尚未审结",
        "行政诉讼（未经复议直接起诉）·维持", "行政诉讼（未经复议直接起诉）·纠正", "行政诉讼（未经复议直接起诉）·其他",
        "行政诉讼（未经复议直接起诉）·尚未审结",
        "行政诉讼（复议后起诉）·维持", "行政诉讼（复议后起诉）·纠正", "行政诉讼（复议后起诉）·其他", "行政诉讼（复议后起诉）·尚未审结"]
    pages = sorted((out / "agency").rglob("*.html"))
    assert len(pages) == 6
    charts = list(overview.values()) + [c for p in pages for c in _page_data(p)["charts"]]
    for chart in charts:
        colours = [s["colour"] for s in chart["datasets"]]
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours), chart["id"]
        assert len(set(colours)) == len(colours), (chart["id"], colours)
    # the series hold the warehouse's sums: 本年新收 by year, over the current reports
    sums = dict(q(db, "SELECT year, sum(new_applications) FROM metric_base_t3 GROUP BY year"))
    chart = overview["chart-applications"]
    assert dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True)) == {y: float(v) for y, v in sums.items()}


def test_counts_print_as_the_integers_they_are(tmp_path: Path) -> None:
    """Point 9: an expected / found count stored as DOUBLE prints as printed (1191, 1234567), never as
    1191.0 or 1.23457e+06 — in the site, in the prose warnings, in the Dagster check tables."""
    import pandas as pd

    from pipelines.markdown import markdown_table
    from schemas.prose import ProseFinding
    from warehouse.site.pages import Renderer

    problem = {"problem": "publisher", "severity": "warning", "source": "x.html", "sha256": "ab", "media_type": "html",
               "agency_key": None, "agency_id": "西溪区教育局", "year": 2023, "status": "valid", "rule": "X.t2_valid_count",
               "cells": ["2.1.2|valid"], "pages": None, "expected": 1234567.0, "found": 1191.0, "message": "m",
               "latest_night": True}
    Renderer(tmp_path).overview({"coverage_by_year": [], "coverage_by_province": [], "national_totals": [],
                                 "national_review_litigation": [], "problems": [problem]}, {})
    row = LexborHTMLParser((tmp_path / "index.html").read_text(encoding="utf-8")).css("#problems tr")[1]
    assert [td.text() for td in row.css("td")][5] == "1234567 / 1191"
    finding = ProseFinding("prose.applications", ["3.1|total"], 1234567.0, 1191.0, "共收到政府信息公开申请1191件")
    assert finding.message == "the narrative says 1191 but the table says 1234567 (3.1|total): 「共收到政府信息公开申请1191件」"
    frame = pd.DataFrame({"rule": ["X.t2_valid_count"], "expected": [1191.0], "found": [453.565067]})
    assert markdown_table(frame) == "| rule | expected | found |\n|---|---|---|\n| X.t2_valid_count | 1191 | 453.565067 |"


def test_an_unresolved_region_is_said_in_words(folder_site: tuple[Path, Path, Path]) -> None:
    """Point 9: the samples' agencies have no known region; their pages and the coverage say so.
    (Each is keyed where it was published — the folder source — never merged by name: unplaced.)"""
    _src, db, out = folder_site
    assert q(db, "SELECT DISTINCT resolved_by FROM agencies") == [("unplaced",)]
    for page in (out / "agency").rglob("*.html"):
        meta = LexborHTMLParser(page.read_text(encoding="utf-8")).css_first("p.meta").text()
        assert "地区未能确定 region unresolved" in meta, page
    index = LexborHTMLParser((out / "index.html").read_text(encoding="utf-8"))
    assert {tr.css("td")[0].text() for tr in index.css("#coverage-province tr") if tr.css("td")} == {"地区未能确定 (region unresolved)"}
    rows = json.loads(re.search(r"=(.*);", (out / "data" / "agencies.js").read_text(encoding="utf-8")).group(1))
    assert all(r[5] is None and r[10] is True for r in rows)


def test_the_search_index_holds_traditional_spellings(folder_site: tuple[Path, Path, Path]) -> None:
    _src, _db, out = folder_site
    rows = json.loads(re.search(r"=(.*);", (out / "data" / "agencies.js").read_text(encoding="utf-8")).group(1))
    spelled = {r[1]: r[9] for r in rows}
    assert "西溪區教育局" in spelled["西溪区教育局"] and "青石縣交通運輸局" in spelled["青石县交通运输局"]


@pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("NIANBAO_REQUIRE_BROWSER") != "1",
                    reason="Debian chromium not installed; `make system-deps` installs it (CI does)")
def test_ties_rank_equal_and_traditional_queries_find_agencies(folder_site: tuple[Path, Path, Path]) -> None:
    """Point 9 in Chromium: ranks 1, 2, 2, 4 (standard competition ranking; values read from the
    documents: 西溪 2023 9, 北川 and 南川 5, 东溪 4); a traditional query finds a simplified name."""
    from playwright.sync_api import sync_playwright

    _src, db, out = folder_site
    keys = dict(q(db, "SELECT canonical_name, agency_key FROM agencies"))
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        def ranks(metric: str, year: int) -> dict[str, tuple[str, str]]:
            page.goto((out / "rankings.html").as_uri() + f"?metric={metric}&year={year}")
            page.wait_for_function(f"document.body.dataset.ranking === '{metric}/{year}'")
            rows = page.evaluate("""() => [...document.querySelectorAll('#ranking tbody tr')].map(
                tr => [tr.dataset.key, tr.cells[0].textContent, tr.cells[6].textContent])""")
            return {k: (r, prov) for k, r, prov in rows}

        unresolved = "地区未能确定 region unresolved"
        assert ranks("new_applications", 2023) == {
            keys["西溪区教育局"]: ("1", unresolved), keys["北川市生态环境局"]: ("2", unresolved),
            keys["南川市生态环境局"]: ("2", unresolved), keys["东溪区教育局"]: ("4", unresolved),
            keys["东湖镇人民政府"]: ("", unresolved), keys["青石县交通运输局"]: ("", unresolved)}
        assert {k: r for k, (r, _p) in ranks("new_applications", 2022).items()} == {
            keys["西溪区教育局"]: "1", keys["青石县交通运输局"]: "1", keys["东湖镇人民政府"]: ""}
        assert {k: r for k, (r, _p) in ranks("disclose_rate", 2023).items()} == {
            keys["西溪区教育局"]: "1", keys["北川市生态环境局"]: "2", keys["南川市生态环境局"]: "2",
            keys["东溪区教育局"]: "2", keys["东湖镇人民政府"]: "", keys["青石县交通运输局"]: ""}

        for query, found in (("西溪區", ["西溪区教育局"]), ("東溪區教育局", ["东溪区教育局"]), ("青石縣", ["青石县交通运输局"])):
            page.goto((out / "search.html").as_uri() + f"?q={query}")
            assert page.locator("#results li a").all_inner_texts() == found, query
        assert unresolved in page.locator("#results li .meta").inner_text()

        page.goto((out / "index.html").as_uri())
        page.wait_for_load_state("load")
        colours = page.evaluate("""() => Object.values(Chart.instances).map(c => [c.canvas.id,
            c.data.datasets.map(d => d.backgroundColor)])""")
        browser.close()
    assert errors == []
    assert sorted(i for i, _c in colours) == ["chart-applications", "chart-outcomes", "chart-rl"]
    assert all(len(set(c)) == len(c) for _i, c in colours), colours
