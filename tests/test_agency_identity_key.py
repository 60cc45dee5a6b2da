"""Issue #27, point 1: two agencies that print the same name ("县信访局") are two agencies. Which
version of an agency-year is current is chosen per agency (reports.identity_key: the name placed
by the catalogue's region of its source, else kept apart per site / source / host / folder) by the
publication date the document states — never by the printed name alone, never by batch order.

Every case goes through the real load path: catalogue folder sources → crawl → parse → validate →
load (in process, as the nightly job's assets call it; and staged, as national mode loads)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.ingest import parse_new, to_load_batch
from pipelines.isolation import Limits
from pipelines.parse.report import PARSER_VERSION, parse_bytes
from pipelines.scrape.catalog import parse_catalog
from pipelines.scrape.crawl import crawl, record
from pipelines.staging import SourceState, discover_source, load_staged, stage_source
from tests.conftest import corpus_or_skip
from tests.forge.render import render_html
from tests.forge.truths import make_truth
from warehouse.db import connect
from warehouse.load import already_loaded, load_batch

AGENCY, YEAR = "县信访局", 2023
# Two counties, each a catalogue source with its region: 封丘县 (Henan) and 洪泽区 (Jiangsu)
FENGQIU, HONGZE = "410727", "320813"


def report(seed: int, published: str | None = None, site: str | None = None, year: int = YEAR) -> tuple[bytes, dict[str, int]]:
    """A 县信访局 2023 report page (the forge's official layout) with its numbers drawn from ``seed``;
    the page states its publication date (PubDate) and site (SiteIDCode) when given. Returns the
    bytes and the table-3 cells written into them."""
    truth = make_truth(seed, "2021")
    truth["agency"], truth["year"] = AGENCY, year
    meta = (f'<meta name="PubDate" content="{published}">' if published else "") + \
           (f'<meta name="SiteIDCode" content="{site}">' if site else "")
    page = render_html(truth).replace(b"<head>", f"<head>{meta}".encode(), 1)
    return page, {k: v for k, v in truth["cells"].items() if k.startswith("3.")}


def catalog_of(root: Path, sources: dict[str, str | None], roster: dict | None = None):
    """Folder sources under ``root`` (name → region, None: the catalogue gives none), each with the
    roster ``roster`` when given (publishers, publishers_since)."""
    entries = []
    for name, region in sources.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        entries.append({"name": name, "kind": "folder", "path": str(root / name), **({"region": region} if region else {}),
                        **(roster or {})})
    return parse_catalog({"sources": entries})


def night(tmp_path: Path, sources: dict[str, str | None], files: dict[str, bytes]) -> Path:
    """Folder sources (name → region) holding ``files`` (source/file → bytes), ingested in one night;
    the warehouse's path."""
    catalog = catalog_of(tmp_path / "src", sources)
    for where, data in files.items():
        (tmp_path / "src" / where).write_bytes(data)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)
    return db


def ingest(catalog, data: Path, db: Path) -> None:
    """One nightly run in process: crawl, parse what is new, one load batch (pipelines/defs/assets.py)."""
    with connect(db) as conn:
        result = crawl(catalog, data)
        record(conn, result)
        known = already_loaded(conn, PARSER_VERSION)
    validated = parse_new(result.refs(), known, Limits())
    with connect(db) as conn:
        load_batch(conn, to_load_batch(validated))


def q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def facts_of(db: Path, file: str) -> dict[str, int]:
    """Table 3 as the fact table holds it for the report loaded from ``file``."""
    return dict(q(db, "SELECT category_code || '|' || applicant_code, value FROM fact_applications f "
                      f"JOIN reports r USING (report_id) WHERE r.source LIKE '%/{file}'"))


def current(db: Path) -> list[tuple]:
    return q(db, "SELECT regexp_extract(source, '[^/]+/[^/]+$'), agency_id, year FROM reports WHERE is_current ORDER BY 1")


def test_two_counties_same_printed_name_both_stay_current(tmp_path: Path) -> None:
    fengqiu, fengqiu_cells = report(11, "2024-01-20 09:30")
    hongze, hongze_cells = report(16, "2024-01-25 10:00")
    assert (fengqiu_cells["3.1|total"], hongze_cells["3.1|total"]) == (10, 35)  # (the seeds give two counties apart)
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU, "hongze": HONGZE})
    (tmp_path / "src" / "fengqiu" / "xfj-2023.html").write_bytes(fengqiu)
    (tmp_path / "src" / "hongze" / "xfj-2023.html").write_bytes(hongze)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)

    assert current(db) == [("fengqiu/xfj-2023.html", AGENCY, YEAR), ("hongze/xfj-2023.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/xfj-2023.html") == fengqiu_cells
    assert facts_of(db, "hongze/xfj-2023.html") == hongze_cells
    assert q(db, "SELECT value FROM fact_applications WHERE agency_id = '县信访局' AND category_code = '3.1' "
                 "AND applicant_code = 'total' ORDER BY value") == [(10,), (35,)]
    assert q(db, "SELECT regexp_extract(source, '[^/]+/[^/]+$'), catalog_region, identity_key, identity_by, published_at::VARCHAR "
                 "FROM reports ORDER BY 1") == [
        ("fengqiu/xfj-2023.html", FENGQIU, "410727/县信访局", "catalogue_region", "2024-01-20 09:30:00"),
        ("hongze/xfj-2023.html", HONGZE, "320813/县信访局", "catalogue_region", "2024-01-25 10:00:00")]
    assert q(db, "SELECT count(*) FROM unplaced_agencies") == [(0,)]

    # the same two, loaded again: nothing moves
    ingest(catalog, tmp_path / "data", db)
    assert current(db) == [("fengqiu/xfj-2023.html", AGENCY, YEAR), ("hongze/xfj-2023.html", AGENCY, YEAR)]
    assert q(db, "SELECT count(*) FROM fact_applications") == [(2 * 175,)]


def test_a_corrected_reissue_replaces_the_first_of_its_own_agency_only(tmp_path: Path) -> None:
    original, original_cells = report(11, "2024-01-20 09:30")
    reissue, reissue_cells = report(19, "2024-03-01 15:00")  # 更正版: other numbers, published later
    other, other_cells = report(16, "2024-01-25 10:00")
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU, "hongze": HONGZE})
    (tmp_path / "src" / "fengqiu" / "xfj-2023.html").write_bytes(original)
    (tmp_path / "src" / "hongze" / "xfj-2023.html").write_bytes(other)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)
    (tmp_path / "src" / "fengqiu" / "xfj-2023-corrected.html").write_bytes(reissue)
    ingest(catalog, tmp_path / "data", db)

    assert current(db) == [("fengqiu/xfj-2023-corrected.html", AGENCY, YEAR), ("hongze/xfj-2023.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/xfj-2023-corrected.html") == reissue_cells
    assert facts_of(db, "fengqiu/xfj-2023.html") == {}  # the first version's numbers are gone …
    assert facts_of(db, "hongze/xfj-2023.html") == other_cells  # … the other county's stay
    assert reissue_cells["3.1|total"] != original_cells["3.1|total"]
    assert q(db, "SELECT count(*) FROM fact_applications") == [(2 * 175,)]


def test_the_stated_publication_date_decides_not_the_batch_order(tmp_path: Path) -> None:
    original, _ = report(11, "2024-01-20 09:30")
    reissue, reissue_cells = report(19, "2024-03-01 15:00")
    # one batch holding both versions, the older one last (files are read in name order)
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU})
    (tmp_path / "src" / "fengqiu" / "1-corrected.html").write_bytes(reissue)
    (tmp_path / "src" / "fengqiu" / "2-original.html").write_bytes(original)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)
    assert current(db) == [("fengqiu/1-corrected.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/1-corrected.html") == reissue_cells
    assert facts_of(db, "fengqiu/2-original.html") == {}

    # and across runs: the first version, loaded after the correction, does not take its place
    later = tmp_path / "later"
    catalog = catalog_of(later / "src", {"fengqiu": FENGQIU})
    (later / "src" / "fengqiu" / "1-corrected.html").write_bytes(reissue)
    db = later / "w.duckdb"
    ingest(catalog, later / "data", db)
    (later / "src" / "fengqiu" / "2-original.html").write_bytes(original)
    ingest(catalog, later / "data", db)
    assert current(db) == [("fengqiu/1-corrected.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/1-corrected.html") == reissue_cells
    assert q(db, "SELECT count(*) FROM fact_applications") == [(175,)]


def test_names_no_region_places_stay_apart_and_are_listed(tmp_path: Path) -> None:
    a, a_cells = report(11)
    b, b_cells = report(16, site="3208130001")
    db = night(tmp_path, {"a": None, "b": None}, {"a/xfj.html": a, "b/xfj.html": b})
    assert current(db) == [("a/xfj.html", AGENCY, YEAR), ("b/xfj.html", AGENCY, YEAR)]
    assert facts_of(db, "a/xfj.html") == a_cells
    assert facts_of(db, "b/xfj.html") == b_cells
    assert q(db, "SELECT identity_key, name, identity_by, years, reports, current_reports, "
                 "regexp_extract(example_source, '[^/]+/[^/]+$') FROM unplaced_agencies ORDER BY 1") == [
        ("unplaced/site:3208130001/县信访局", AGENCY, "site", [YEAR], 1, 1, "b/xfj.html"),
        ("unplaced/source:a/县信访局", AGENCY, "source", [YEAR], 1, 1, "a/xfj.html")]


def test_national_mode_keys_each_source_s_report_apart(tmp_path: Path) -> None:
    """Each county's source staged by its own run and loaded by the serialised loader."""
    fengqiu, fengqiu_cells = report(11, "2024-01-20 09:30")
    hongze, hongze_cells = report(16, "2024-01-25 10:00")
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU, "hongze": HONGZE})
    (tmp_path / "src" / "fengqiu" / "xfj-2023.html").write_bytes(fengqiu)
    (tmp_path / "src" / "hongze" / "xfj-2023.html").write_bytes(hongze)
    data = tmp_path / "data"
    for name in ("fengqiu", "hongze"):
        stage_source(discover_source(catalog, name, data, SourceState()), SourceState(), data, f"run-{name}")
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        loaded = load_staged(conn, data)
    assert len(loaded.units) == 2
    assert current(db) == [("fengqiu/xfj-2023.html", AGENCY, YEAR), ("hongze/xfj-2023.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/xfj-2023.html") == fengqiu_cells
    assert facts_of(db, "hongze/xfj-2023.html") == hongze_cells
    assert q(db, "SELECT identity_key FROM reports ORDER BY 1") == [("320813/县信访局",), ("410727/县信访局",)]


def test_a_page_s_site_and_publication_date_as_stated() -> None:
    real = corpus_or_skip() / "real"
    stated = {name: parse_bytes((real / name).read_bytes(), name) for name in ("pingtan-2021.html", "shanghai-office-2019.html")}
    # <meta name="SiteIDCode" content="3590000001"/> <meta name="PubDate" content="2022-02-08 16:34"/>
    assert (stated["pingtan-2021.html"].site, stated["pingtan-2021.html"].published_at) == ("3590000001", "2022-02-08T16:34")
    # no meta tags; under the title: <p style='text-align: center'>发布日期：2020-01-31</p>
    assert (stated["shanghai-office-2019.html"].site, stated["shanghai-office-2019.html"].published_at) == (None, "2020-01-31")
    json.dumps([r.published_at for r in stated.values()])  # (plain strings: they travel to staging as they are)


def test_a_report_loaded_before_keys_is_superseded_by_printed_name(tmp_path: Path) -> None:
    """A warehouse from before: its reports have no identity_key (the column was added empty). The
    next version of the same printed name and year replaces such a report as it did then."""
    old, _ = report(11)
    new, new_cells = report(19, "2024-03-01 15:00")
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU})
    (tmp_path / "src" / "fengqiu" / "old.html").write_bytes(old)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)
    with duckdb.connect(str(db)) as conn:  # as an older release left it
        conn.execute("UPDATE reports SET identity_key = NULL, identity_by = NULL, published_at = NULL, first_seen_at = NULL")
    (tmp_path / "src" / "fengqiu" / "new.html").write_bytes(new)
    ingest(catalog, tmp_path / "data", db)
    assert current(db) == [("fengqiu/new.html", AGENCY, YEAR)]
    assert facts_of(db, "fengqiu/new.html") == new_cells
    assert q(db, "SELECT count(*) FROM fact_applications") == [(175,)]


def test_only_a_labelled_date_is_a_publication_date() -> None:
    from pipelines.parse.stated import date_in_text

    assert date_in_text(["某某县信访局2023年政府信息公开工作年度报告", "发布时间: 2024-02-20 15:07  来源：本网"]) == "2024-02-20T15:07"
    assert date_in_text(["成文日期：2024年1月5日", "发布日期：2024年1月8日"]) == "2024-01-08"  # publication before writing
    assert date_in_text(["标题", "成文日期：2024年1月5日"]) == "2024-01-05"
    # a label followed by other words, a date no calendar has, an unlabelled sign-off date: none
    assert date_in_text(["对成文日期、发布日期、有效性等要素进行规范标注 2023年3月1日"]) is None
    assert date_in_text(["发布日期：2024-02-30"]) is None
    assert date_in_text(["某某县信访局", "2024年1月20日"]) is None


# --- downstream: every view and page keys a report by its agency, not by its printed name ---------


def two_counties(tmp_path: Path, roster: dict | None = None) -> tuple[Path, dict[str, dict[str, int]]]:
    """封丘县's 县信访局 for 2022 and 2023, 洪泽区's for 2023, through the real ingest path and the
    analyst refresh the nightly job runs after the load. Returns the warehouse and each file's
    table-3 cells as written into it."""
    from warehouse import analysis

    files = {"fengqiu/xfj-2022.html": report(7, "2023-01-18 10:00", year=2022),
             "fengqiu/xfj-2023.html": report(11, "2024-01-20 09:30"),
             "hongze/xfj-2023.html": report(16, "2024-01-25 10:00")}
    catalog = catalog_of(tmp_path / "src", {"fengqiu": FENGQIU, "hongze": HONGZE}, roster)
    for name, (page, _) in files.items():
        (tmp_path / "src" / name).write_bytes(page)
    db = tmp_path / "w.duckdb"
    if roster:  # `nianbao crawl` records the catalogue's roster and regions
        from pipelines.scrape.crawl import crawl_into

        with connect(db) as conn:
            crawl_into(conn, catalog, tmp_path / "data")
    ingest(catalog, tmp_path / "data", db)
    with connect(db) as conn:
        analysis.refresh(conn)
    return db, {name: cells for name, (_, cells) in files.items()}


APPLICANTS = ("np", "lp_com", "lp_res", "lp_ngo", "lp_law", "lp_oth", "total")


def test_applications_wide_has_each_county_s_own_row(tmp_path: Path) -> None:
    db, cells = two_counties(tmp_path)
    fq, hz = cells["fengqiu/xfj-2023.html"], cells["hongze/xfj-2023.html"]
    assert (fq["3.1|total"], hz["3.1|total"]) == (10, 35)
    assert q(db, "SELECT total FROM applications_wide WHERE agency_id = '县信访局' AND year = 2023 AND category_code = '3.1' "
                 "ORDER BY 1") == [(10,), (35,)]
    rows = q(db, "SELECT agency_key, agency_id, year, np, lp_com, lp_res, lp_ngo, lp_law, lp_oth, total "
                 "FROM applications_wide WHERE agency_id = '县信访局' AND year = 2023 AND category_code = '3.1' ORDER BY 1")
    assert rows == [("320813/县信访局", AGENCY, 2023, *(hz[f"3.1|{a}"] for a in APPLICANTS)),
                    ("410727/县信访局", AGENCY, 2023, *(fq[f"3.1|{a}"] for a in APPLICANTS))]
    # every category of both: one row each, never one county's number under the other
    assert q(db, "SELECT agency_key, count(*) FROM applications_wide WHERE year = 2023 GROUP BY 1 ORDER BY 1") == [
        ("320813/县信访局", 25), ("410727/县信访局", 25)]


def test_agency_reports_and_agencies_give_two_agencies_with_their_regions(tmp_path: Path) -> None:
    db, _ = two_counties(tmp_path)
    assert q(db, "SELECT agency_key, agency_id, year, adcode, province, prefecture, county, regexp_extract(source, '[^/]+/[^/]+$') "
                 "FROM agency_reports ORDER BY agency_key, year") == [
        ("320813/县信访局", AGENCY, 2023, HONGZE, "江苏省", "淮安市", "洪泽区", "hongze/xfj-2023.html"),
        ("410727/县信访局", AGENCY, 2022, FENGQIU, "河南省", "新乡市", "封丘县", "fengqiu/xfj-2022.html"),
        ("410727/县信访局", AGENCY, 2023, FENGQIU, "河南省", "新乡市", "封丘县", "fengqiu/xfj-2023.html")]
    assert q(db, "SELECT agency_key, canonical_name, adcode, county, resolved_by FROM agencies ORDER BY 1") == [
        ("320813/县信访局", "淮安市洪泽区县信访局", HONGZE, "洪泽区", "catalogue_region"),
        ("410727/县信访局", "新乡市封丘县县信访局", FENGQIU, "封丘县", "catalogue_region")]
    assert q(db, "SELECT count(*) FROM unresolved_agencies") == [(0,)]


def test_metrics_give_each_county_its_own_totals(tmp_path: Path) -> None:
    db, cells = two_counties(tmp_path)
    expected = [(key, year, c["3.1|total"], c["3.2|total"], c["3.3.7|total"], c["3.4|total"])
                for key, year, c in (("320813/县信访局", 2023, cells["hongze/xfj-2023.html"]),
                                     ("410727/县信访局", 2022, cells["fengqiu/xfj-2022.html"]),
                                     ("410727/县信访局", 2023, cells["fengqiu/xfj-2023.html"]))]
    assert q(db, "SELECT agency_key, year, new_applications, carried_over, handled, carried_forward "
                 "FROM metric_application_volume ORDER BY 1, 2") == expected
    fq = cells["fengqiu/xfj-2023.html"]
    assert q(db, "SELECT agency_key, new_applications FROM metric_applicant_mix WHERE applicant_code = 'np' AND year = 2023 ORDER BY 1") == [
        ("320813/县信访局", cells["hongze/xfj-2023.html"]["3.1|np"]), ("410727/县信访局", fq["3.1|np"])]
    prev = cells["fengqiu/xfj-2022.html"]
    assert q(db, "SELECT agency_key, year, prev_year, value, prev_value FROM metric_yoy WHERE metric = 'new_applications'") == [
        ("410727/县信访局", 2023, 2022, fq["3.1|total"], prev["3.1|total"])]


def test_cross_year_compares_a_report_only_with_its_own_agency_s_year_before(tmp_path: Path) -> None:
    db, cells = two_counties(tmp_path)
    this, prev = cells["fengqiu/xfj-2023.html"], cells["fengqiu/xfj-2022.html"]
    carried = q(db, "SELECT agency_key, year, prev_year, cells[1], prev_cells[1], expected, found, "
                    "regexp_extract(source, '[^/]+/[^/]+$'), regexp_extract(prev_source, '[^/]+/[^/]+$') "
                    "FROM cross_year_checks WHERE rule = 'X.carry_over' ORDER BY cells[1]")
    assert carried == sorted([("410727/县信访局", 2023, 2022, f"3.2|{a}", f"3.4|{a}", prev[f"3.4|{a}"], this[f"3.2|{a}"],
                               "fengqiu/xfj-2023.html", "fengqiu/xfj-2022.html") for a in APPLICANTS], key=lambda r: r[3])
    # 洪泽's 2023 report has no year before: no comparison at all (not with 封丘's 2022)
    assert q(db, "SELECT DISTINCT agency_key, year, prev_year, regexp_extract(source, '[^/]+/[^/]+$') FROM cross_year_checks") == [
        ("410727/县信访局", 2023, 2022, "fengqiu/xfj-2023.html")]


def test_the_explorer_has_a_page_per_county(tmp_path: Path) -> None:
    from tests.test_site import cells_in_page
    from warehouse.site.build import build_site
    from warehouse.site.model import agencies

    db, cells = two_counties(tmp_path)
    out = tmp_path / "site"
    build_site(db, out)
    with duckdb.connect(str(db), read_only=True) as conn:
        pages = {a.key: (a.names, out / a.href) for a in agencies(conn)}
    ids = dict(q(db, "SELECT regexp_extract(source, '[^/]+/[^/]+$'), report_id FROM reports"))
    assert sorted(pages) == ["320813/县信访局", "410727/县信访局"]
    assert pages["320813/县信访局"][1] != pages["410727/县信访局"][1]
    for key, files in (("320813/县信访局", ["hongze/xfj-2023.html"]),
                       ("410727/县信访局", ["fengqiu/xfj-2022.html", "fengqiu/xfj-2023.html"])):
        names, page = pages[key]
        assert names == [AGENCY]
        shown = cells_in_page(page.read_text(encoding="utf-8"))
        assert {rid for rid, _ in shown} == {ids[f] for f in files}  # its own reports only
        for f in files:
            assert shown[(ids[f], "3.1|total")][0] == str(cells[f]["3.1|total"])


def test_a_report_loaded_before_keys_is_still_keyed_by_its_printed_name(tmp_path: Path) -> None:
    """A warehouse from before identity keys: its report (identity_key NULL) belongs to what its
    printed name alone resolves to — 县信访局's two sources have two regions, so none: ?/县信访局,
    listed unresolved — while the reports keyed at load keep their counties."""
    from warehouse import analysis

    db, cells = two_counties(tmp_path)
    with duckdb.connect(str(db)) as conn:  # 封丘's 2022 report as an older release left it
        conn.execute("UPDATE reports SET identity_key = NULL, identity_by = NULL WHERE year = 2022")
    with connect(db) as conn:
        analysis.refresh(conn)
    assert q(db, "SELECT agency_key, year, new_applications FROM metric_application_volume ORDER BY 2, 1") == [
        ("?/县信访局", 2022, cells["fengqiu/xfj-2022.html"]["3.1|total"]),
        ("320813/县信访局", 2023, cells["hongze/xfj-2023.html"]["3.1|total"]),
        ("410727/县信访局", 2023, cells["fengqiu/xfj-2023.html"]["3.1|total"])]
    assert q(db, "SELECT agency_key, key_from, resolved_by, year FROM report_agencies ORDER BY year, agency_key") == [
        ("?/县信访局", "printed_name", "unresolved", 2022),
        ("320813/县信访局", "identity_key", "catalogue_region", 2023),
        ("410727/县信访局", "identity_key", "catalogue_region", 2023)]
    assert q(db, "SELECT name, years, reports, agency_key FROM unresolved_agencies") == [(AGENCY, [2022], 1, "?/县信访局")]
    assert q(db, "SELECT count(*) FROM cross_year_checks") == [(0,)]  # (re-parsing the 2022 report keys it)


def test_unplaced_agencies_stay_apart_downstream_and_are_listed(tmp_path: Path) -> None:
    """Two sources the catalogue gives no region: each 县信访局 is an agency of its own (its site, its
    source), with its own numbers, listed unresolved — never merged into one ?/县信访局."""
    from warehouse import analysis

    a, a_cells = report(11)
    b, b_cells = report(16, site="3208130001")
    catalog = catalog_of(tmp_path / "src", {"a": None, "b": None})
    (tmp_path / "src" / "a" / "xfj.html").write_bytes(a)
    (tmp_path / "src" / "b" / "xfj.html").write_bytes(b)
    db = tmp_path / "w.duckdb"
    ingest(catalog, tmp_path / "data", db)
    with connect(db) as conn:
        analysis.refresh(conn)
    a_key, b_key = "unplaced/source:a/县信访局", "unplaced/site:3208130001/县信访局"
    assert q(db, "SELECT agency_key, canonical_name, adcode, resolved_by FROM agencies ORDER BY 1") == [
        (b_key, AGENCY, None, "unplaced"), (a_key, AGENCY, None, "unplaced")]
    assert q(db, "SELECT agency_key, agency_id, new_applications FROM metric_application_volume ORDER BY 1") == [
        (b_key, AGENCY, b_cells["3.1|total"]), (a_key, AGENCY, a_cells["3.1|total"])]
    assert q(db, "SELECT agency_key, total FROM applications_wide WHERE category_code = '3.1' ORDER BY 1") == [
        (b_key, b_cells["3.1|total"]), (a_key, a_cells["3.1|total"])]
    assert q(db, "SELECT name, years, reports, agency_key FROM unresolved_agencies ORDER BY agency_key") == [
        (AGENCY, [YEAR], 1, b_key), (AGENCY, [YEAR], 1, a_key)]


def test_corrections_roster_and_timeliness_follow_each_county(tmp_path: Path) -> None:
    from warehouse import analysis

    db, cells = two_counties(tmp_path)
    fixes = tmp_path / "corrections.yaml"
    fixes.write_text(
        "corrections:\n"
        "  - {agency: 410727/县信访局, year: 2023, cell: 3.1|total, value: 99, reason: 更正版, source: 封丘县 reply}\n"
        "  - {agency: 县信访局, year: 2023, cell: 3.1|np, value: 98, reason: 'which county?', source: a letter}\n",
        encoding="utf-8")
    with connect(db) as conn:
        analysis.refresh(conn, corrections_file=fixes)
    ids = dict(q(db, "SELECT regexp_extract(source, '[^/]+/[^/]+$'), report_id FROM reports"))
    # the agency_key names 封丘's report only; the printed name two counties share names neither
    assert q(db, "SELECT agency, agency_key, cell_key, report_id, published_value, applied FROM corrections ORDER BY value DESC") == [
        ("410727/县信访局", "410727/县信访局", "3.1|total", ids["fengqiu/xfj-2023.html"],
         cells["fengqiu/xfj-2023.html"]["3.1|total"], True),
        (AGENCY, None, "3.1|np", None, None, False)]
    assert q(db, "SELECT agency_key, new_applications FROM metric_application_volume WHERE year = 2023 ORDER BY 1") == [
        ("320813/县信访局", cells["hongze/xfj-2023.html"]["3.1|total"]), ("410727/县信访局", 99)]
    # the roster: each county from its own first year, each agency-year its own report
    assert q(db, "SELECT agency_key, county, year, status, report_id FROM roster ORDER BY 1, 3") == [
        ("320813/县信访局", "洪泽区", 2023, "parsed", ids["hongze/xfj-2023.html"]),
        ("410727/县信访局", "封丘县", 2022, "parsed", ids["fengqiu/xfj-2022.html"]),
        ("410727/县信访局", "封丘县", 2023, "parsed", ids["fengqiu/xfj-2023.html"])]
    assert q(db, "SELECT agency_key, year, report_id FROM report_timeliness ORDER BY 1, 2") == [
        ("320813/县信访局", 2023, ids["hongze/xfj-2023.html"]),
        ("410727/县信访局", 2022, ids["fengqiu/xfj-2022.html"]),
        ("410727/县信访局", 2023, ids["fengqiu/xfj-2023.html"])]


def test_each_county_s_roster_expects_its_own_bureau(tmp_path: Path) -> None:
    """Both sources' catalogue rosters name "县信访局" from 2022: each means its own county's bureau
    (source_agencies), so 洪泽's 2022 report is missing — not covered by 封丘's."""
    db, _ = two_counties(tmp_path, {"publishers": [AGENCY], "publishers_since": 2022})
    ids = dict(q(db, "SELECT regexp_extract(source, '[^/]+/[^/]+$'), report_id FROM reports"))
    assert q(db, "SELECT agency_key, year, status, report_id, in_catalogue FROM roster ORDER BY 1, 2") == [
        ("320813/县信访局", 2022, "missing", None, True),
        ("320813/县信访局", 2023, "parsed", ids["hongze/xfj-2023.html"], True),
        ("410727/县信访局", 2022, "parsed", ids["fengqiu/xfj-2022.html"], True),
        ("410727/县信访局", 2023, "parsed", ids["fengqiu/xfj-2023.html"], True)]
    assert q(db, "SELECT agency_key FROM agencies ORDER BY 1") == [("320813/县信访局",), ("410727/县信访局",)]
    assert q(db, "SELECT source, name, agency_key, resolved_by FROM source_agencies ORDER BY 1") == [
        ("fengqiu", AGENCY, "410727/县信访局", "catalogue_region"), ("hongze", AGENCY, "320813/县信访局", "catalogue_region")]
