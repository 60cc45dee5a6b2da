"""Import a site list a user has (an export of the national government-website database, a
spreadsheet of their own): CSV (UTF-8 with or without BOM, or GB18030; also inside a ZIP) or XLSX,
columns found by header name through a mapping (the database does not document its column order).

Each row becomes a ``SiteEntry``: the owner's division (GB/T 2260) comes from the site code
(网站标识码 = the division's 6 digits + a serial; ``bm`` + ministry number for central bodies), never
from the name. A row that cannot be an entry is rejected with its row number and why — none is dropped
without a word.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from pipelines.sites.entries import Provenance, SiteEntry, gov_host, read_site_code
from warehouse.agencies import region_names

FIELDS = {"name": "网站名称 (the site's name)", "code": "网站标识码 (the site code)", "home": "首页网址 (the home page)",
          "owner": "主办单位 (the owning unit)"}
REQUIRED = ("name", "code", "home")


class SiteImportError(ValueError):
    """The file or the mapping cannot be used at all; the message names which."""


@dataclass
class Imported:
    entries: list[SiteEntry] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where: "row N", why)


def parse_mapping(text: str) -> dict[str, str]:
    """``name=网站名称,code=网站标识码,home=首页网址[,owner=主办单位]`` → field → column header."""
    out: dict[str, str] = {}
    for part in [p for p in text.split(",") if p.strip()]:
        key, sep, header = part.partition("=")
        key = key.strip()
        if not sep or not header.strip():
            raise SiteImportError(f"--map: {part.strip()!r} is not FIELD=COLUMN")
        if key not in FIELDS:
            raise SiteImportError(f"--map: unknown field {key!r}; fields: {', '.join(FIELDS)}")
        out[key] = header.strip()
    missing = [k for k in REQUIRED if k not in out]
    if missing:
        raise SiteImportError(f"--map: no column given for {', '.join(missing)} ({'; '.join(FIELDS[k] for k in missing)})")
    return out


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SiteImportError("the CSV is neither UTF-8 nor GB18030")


def _csv_rows(raw: bytes) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(_decode(raw))) if any(c.strip() for c in row)]


def read_table(path: Path, sheet: str | None = None) -> list[tuple[str, list[list[str]]]]:
    """(where, rows incl. the header) of each table in the file: a CSV, each CSV of a ZIP, or one
    sheet of an XLSX (the first, or ``sheet``)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SiteImportError(f"{path}: cannot read ({err.strerror or err})") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [("", _csv_rows(raw))]
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            members = sorted(n for n in z.namelist() if n.lower().endswith(".csv"))
            if not members:
                raise SiteImportError(f"{path}: the ZIP holds no .csv file")
            return [(f"{m} ", _csv_rows(z.read(m))) for m in members]
    if suffix == ".xlsx":
        import openpyxl  # a well-kept reader of Office Open XML sheets

        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
            raise SiteImportError(f"{path}: not a readable XLSX ({type(err).__name__})") from None
        if sheet is not None and sheet not in book.sheetnames:
            raise SiteImportError(f"--sheet: {path} has no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [["" if c is None else str(c).strip() for c in r] for r in ws.iter_rows(values_only=True)]
        book.close()
        return [(f"{ws.title} ", [r for r in rows if any(r)])]
    raise SiteImportError(f"{path}: not a .csv, .zip (of CSV) or .xlsx file")


def _home_url(text: str) -> str:
    """The home page as an URL: the database often lists a bare host (www.xx.gov.cn)."""
    text = text.strip()
    return text if urlsplit(text).scheme else "http://" + text


def import_sites(path: Path, mapping: dict[str, str], sheet: str | None = None, seen: date | None = None) -> Imported:
    tables = read_table(path, sheet)
    version = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    out = Imported()
    codes: dict[str, str] = {}
    for where, rows in tables:
        if not rows:
            raise SiteImportError(f"{path}: {where}is empty")
        header = [h.strip().lstrip("\ufeff") for h in rows[0]]
        absent = [col for col in mapping.values() if col not in header]
        if absent:
            raise SiteImportError(f"{path}: {where}has no column {', '.join(map(repr, absent))} (columns: {', '.join(header)})")
        at = {key: header.index(col) for key, col in mapping.items()}
        for row_no, row in enumerate(rows[1:], 2):
            cell = {k: (row[i].strip() if i < len(row) else "") for k, i in at.items()}
            place = f"{where}row {row_no}"
            empty = [k for k in REQUIRED if not cell[k]]
            if empty:
                out.rejected.append((place, f"no {', '.join(FIELDS[k] for k in empty)}"))
                continue
            try:
                code = read_site_code(cell["code"])
            except ValueError as err:
                out.rejected.append((place, str(err)))
                continue
            if code.code in codes:
                out.rejected.append((place, f"site code {code.code} repeats {codes[code.code]}"))
                continue
            province = region_names(code.division)[0] if code.division else None
            try:
                entry = SiteEntry(
                    name=cell["name"], url=_home_url(cell["home"]), kind="home_page", level=code.level, province=province,
                    region=code.division, site_code=code.code, owner=cell.get("owner") or None,
                    gov_host=gov_host(_home_url(cell["home"])),
                    provenance=[Provenance(list=f"import: {path.name}", entry=place, version=version, seen=seen)])
            except ValidationError as err:
                out.rejected.append((place, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())))
                continue
            codes[code.code] = place
            out.entries.append(entry)
    return out
