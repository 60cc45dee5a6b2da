"""The national site catalogue (#29 parts 1 and 2): the seed builds from the locked gov-site-list
package and ../shared/research/gov_sites/report_urls.tsv alone (no network), every entry carrying
its provenance, region, level and ``verified: never``; a user's site list (CSV, GB18030 CSV, XLSX)
imports with a column mapping, the division taken from the site code; bad arguments exit 2.

Expected values are read here straight from the package's JSONL files, the lock file and the TSV
(or written by hand), never through the builder."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import gov_site_list
import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.sites.entries import SiteListError, load_site_dir, load_site_list
from tests.conftest import REPO, SHARED

TSV = SHARED / "research" / "gov_sites" / "report_urls.tsv"
PACKAGE_DATA = Path(gov_site_list.__file__).parent / "data"  # the locked package's own JSONL files
# GB/T 2260 codes of the 31 mainland provinces (the standard's own table)
PROVINCES = {"北京": "110000", "天津": "120000", "河北": "130000", "山西": "140000", "内蒙古": "150000", "辽宁": "210000",
             "吉林": "220000", "黑龙江": "230000", "上海": "310000", "江苏": "320000", "浙江": "330000", "安徽": "340000",
             "福建": "350000", "江西": "360000", "山东": "370000", "河南": "410000", "湖北": "420000", "湖南": "430000",
             "广东": "440000", "广西": "450000", "海南": "460000", "重庆": "500000", "四川": "510000", "贵州": "520000",
             "云南": "530000", "西藏": "540000", "陕西": "610000", "甘肃": "620000", "青海": "630000", "宁夏": "640000",
             "新疆": "650000"}


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the seed must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _locked() -> tuple[str, date]:
    """gov-site-list's locked version and the upload date of its wheel, from uv.lock."""
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    (pkg,) = [p for p in lock["package"] if p["name"] == "gov-site-list"]
    return pkg["version"], date.fromisoformat(pkg["wheels"][0]["upload-time"][:10])


def _entries(folder: Path) -> dict[str, list[dict]]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8"))["sites"] for p in sorted(folder.glob("*.yaml"))}


def test_the_seed_builds_from_the_locked_package_and_the_shared_file_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert TSV.is_file(), f"the researched report addresses are missing: {TSV}"
    _no_network(monkeypatch)
    out = tmp_path / "china"
    got = CliRunner().invoke(app, ["catalogue", "seed", "--out", str(out), "--research", str(TSV)])
    assert got.exit_code == 0, got.output
    assert got.output == f"177 entries (75 home pages, 102 report addresses) in 33 files under {out}; every one verified: never\n"
    files = _entries(out)
    by_url: dict[str, list[tuple[str, dict]]] = {}
    for name, rows in files.items():
        for row in rows:
            by_url.setdefault(row["url"], []).append((name, row))
    version, released = _locked()
    assert version == "0.1.0"
    expected: list[tuple[str, dict]] = []
    for rel in ("homepages/central.jsonl", "homepages/provincial.jsonl"):
        for n, line in enumerate((PACKAGE_DATA / rel).read_text(encoding="utf-8").splitlines(), 1):
            src = json.loads(line)
            central = rel.endswith("central.jsonl")
            row = {"name": src["name"], "url": src["url"], "kind": "home_page", "level": "central" if central else "province"}
            if central:
                row["category"] = src["category"]
            else:
                row |= {"province": src["region"], "region": PROVINCES[src["region"]]}
            row |= {"gov_host": True, "verified": "never", "provenance": [
                {"list": "gov-site-list (PyPI, MIT)", "entry": f"{rel}:{n}", "version": version, "seen": released.isoformat()}]}
            expected.append(("central.yaml" if central else f"{PROVINCES[src['region']]}.yaml", row))
    assert len(expected) == 44 + 31
    raw = TSV.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines(), delimiter="\t"))
    assert len(rows) == 102
    for n, src in enumerate(rows, 2):
        central = src["level"].startswith("central")
        row = {"name": src["agency"], "url": src["url"], "kind": "report_address", "level": src["level"]}
        if central:
            row["category"] = src["province"]
        elif src["province"] != "?":
            row |= {"province": src["province"], "region": PROVINCES[src["province"]]}
        row["gov_host"] = src["host_is_gov"] == "y"
        if src["note"]:
            row["note"] = src["note"]
        row |= {"verified": "never", "provenance": [{"list": "shared/research/gov_sites/report_urls.tsv", "entry": f"row {n}",
                                                     "version": "sha256:" + hashlib.sha256(raw).hexdigest()[:16]}]}
        where = "central.yaml" if central else "unplaced.yaml" if src["province"] == "?" else f"{PROVINCES[src['province']]}.yaml"
        expected.append((where, row))
    # every source row is exactly one entry, in its region's file, with these fields and nothing else
    assert sorted(by_url) == sorted({u for _, r in expected for u in [r["url"]]})
    for where, row in expected:
        assert by_url[row["url"]] == [(where, row)], row["url"]
    assert sum(len(r) for r in files.values()) == 177
    # the research's 30 addresses off government hosts, and its one "y?": a bare IP address
    assert sum(1 for _, r in expected if not r["gov_host"]) == 31
    # validated by the catalogue's schema; the committed seed is this build, byte for byte
    assert sum(len(s.sites) for s in load_site_dir(out).values()) == 177
    committed = REPO / "pipelines" / "catalog" / "china"
    assert {p.name: p.read_bytes() for p in committed.glob("*.yaml") if not p.name.startswith("import-")} == {
        p.name: p.read_bytes() for p in out.glob("*.yaml")}


def test_a_bad_entry_is_refused_naming_the_file_the_site_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("""sites:
- name: 某县人民政府
  url: www.x.gov.cn
  kind: home_page
  region: '3303'
  gov_host: true
  verified: yes
  provenance: []
""", encoding="utf-8")
    with pytest.raises(SiteListError) as err:
        load_site_list(bad)
    assert str(err.value) == (
        f"{bad}: site '某县人民政府': url: Value error, not an http(s) URL: 'www.x.gov.cn'; "
        "site '某县人民政府': region: String should match pattern '^\\d{6}$'; "
        "site '某县人民政府': verified.literal['never']: Input should be 'never'; "
        "site '某县人民政府': verified.date: Input should be a valid date; "
        "site '某县人民政府': provenance: List should have at least 1 item after validation, not 0")


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})


HEADER = ["序号", "主办单位", "首页网址", "网站标识码", "网站名称"]  # not the mapping's order: read by header name
ROWS = [
    ["1", "成都市双流区人民政府", "www.shuangliu.gov.cn", "5101160001", "成都市双流区人民政府网"],
    ["2", "徐州市人民政府", "http://www.xz.gov.cn", "3203000040", "徐州市人民政府"],
    ["3", "国家统计局", "https://www.stats.gov.cn", "bm36000002", "国家统计局"],
    ["4", "某局", "www.mou.gov.cn", "51011600", "某局网站"],  # a code too short
    ["5", "某县人民政府", "", "5101320017", "某县人民政府"],  # no home page
    ["6", "成都市双流区人民政府", "www.sl.gov.cn", "5101160001", "双流区（旧址）"],  # the code again
]
MAP = "name=网站名称,code=网站标识码,home=首页网址,owner=主办单位"


def _expected(path: Path, where: str = "") -> list[dict]:
    def entry(row: int, name: str, url: str, level: str, province: str | None, region: str | None, code: str, owner: str) -> dict:
        e = {"name": name, "url": url, "kind": "home_page", "level": level}
        e |= {"province": province, "region": region} if region else {}
        return e | {"site_code": code, "owner": owner, "gov_host": True, "verified": "never", "provenance": [
            {"list": f"import: {path.name}", "entry": f"{where}row {row}",
             "version": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16], "seen": "2025-06-30"}]}
    return [entry(2, "成都市双流区人民政府网", "http://www.shuangliu.gov.cn", "county", "四川省", "510116", "5101160001",
                  "成都市双流区人民政府"),
            entry(3, "徐州市人民政府", "http://www.xz.gov.cn", "prefecture", "江苏省", "320300", "3203000040", "徐州市人民政府"),
            entry(4, "国家统计局", "https://www.stats.gov.cn", "central", None, None, "bm36000002", "国家统计局")]


@pytest.mark.parametrize("kind", ["csv-utf8-bom", "csv-gb18030", "xlsx"])
def test_a_users_site_list_imports_by_header_with_the_division_from_the_site_code(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        path = tmp_path / "全国政府网站.xlsx"
        book = openpyxl.Workbook()
        book.active.title = "说明"
        book.active.append(["本表为导出数据"])
        sheet = book.create_sheet("网站")
        for row in [HEADER, *ROWS]:
            sheet.append(row)
        book.save(path)
        extra, where = ["--sheet", "网站"], "网站 "
    else:
        path = tmp_path / "sites.csv"
        text = "\r\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\r\n"
        path.write_bytes(text.encode("utf-8-sig") if kind == "csv-utf8-bom" else text.encode("gb18030"))
        extra, where = [], ""
    out = tmp_path / "china"
    proc = _cli("catalogue", "import", path, "--map", MAP, "--seen", "2025-06-30", "--out", out, *extra)
    target = out / ("import-sites.yaml" if kind != "xlsx" else "import-全国政府网站.yaml")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == [
        f"3 entries written to {target}; 3 row(s) rejected",
        f"  rejected {where}row 5: not a site code: '51011600' (10 digits, or bm + 8 digits)",
        f"  rejected {where}row 6: no 首页网址 (the home page)",
        f"  rejected {where}row 7: site code 5101160001 repeats {where}row 2"]
    got = yaml.safe_load(target.read_text(encoding="utf-8"))["sites"]
    assert got == _expected(path, where)
    load_site_list(target)  # the schema accepts what it wrote


def test_import_arguments_that_cannot_work_exit_2_with_one_line(tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("网站名称,网站标识码,首页网址\n某网站,5101160001,www.x.gov.cn\n", encoding="utf-8")
    cases = [
        (["--map", "name=网站名称,code=网站标识码"], "error: --map: no column given for home (首页网址 (the home page))\n"),
        (["--map", "name=网站名称,code=标识码,home=首页网址"],
         f"error: {sites}: has no column '标识码' (columns: 网站名称, 网站标识码, 首页网址)\n"),
        (["--map", "title=网站名称"], "error: --map: unknown field 'title'; fields: name, code, home, owner\n"),
        (["--map", MAP.rsplit(",", 1)[0], "--seen", "yesterday"], "error: --seen: not a date (YYYY-MM-DD): yesterday\n"),
    ]
    for args, message in cases:
        proc = _cli("catalogue", "import", sites, "--out", tmp_path / "out", *args)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", message), args
    missing = tmp_path / "none.csv"
    proc = _cli("catalogue", "import", missing, "--map", MAP, "--out", tmp_path / "out")
    assert (proc.returncode, proc.stderr) == (2, f"error: FILE: no such file: {missing}\n")
    proc = _cli("catalogue", "seed", "--out", tmp_path / "seed", "--research", tmp_path / "none.tsv")
    assert (proc.returncode, proc.stderr) == (2, f"error: --research: no such file: {tmp_path / 'none.tsv'}\n")
    assert not (tmp_path / "out").exists() and not (tmp_path / "seed").exists()
