"""`nianbao` command line: parse one document, or run the nightly ingestion in-process."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from pipelines.sql_output import OutputFormat

T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True, help="China government information-disclosure annual reports → DuckDB.")


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="A report document (HTML, text, PDF, DOCX, DOC/WPS/RTF)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract object")] = False,
) -> None:
    """Parse one document and show what was extracted (in a worker under the job's time and memory limits)."""
    import hashlib

    from pipelines.isolation import Job, parse_isolated
    from pipelines.parse.report import parse_path
    from pipelines.validate import to_contract, validate

    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        vr = validate(parse_path(path))  # a typed failure naming the file (unreadable_file)
    else:
        # the same containment as the nightly job: a file that loops or balloons ends typed
        # (timeout / too_large), the command still answers
        vr = next(parse_isolated([Job(str(path), str(path), sha)]))[1]
    out = to_contract(vr)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        if vr.parts:
            typer.echo(f"{out['document']}: a collection of {len(vr.parts)} reports")
        for part, one in zip(vr.reports(), out.get("parts", [out]), strict=True):
            pages = f" pages {one['pages'][0]}–{one['pages'][1]}" if one["pages"] else ""
            typer.echo(f"{'  ' if vr.parts else ''}{one['document']}{pages}: {one['status']} ({part.status}) "
                       f"{one['agency']} {one['year']} {one['table_formats']}")
            for v in one["violations"]:
                typer.echo(f"  [{v['origin']}/{v['severity']}] {v['rule']}: {v['message']}")
    failed = [one for one in out.get("parts", [out]) if one["status"] == "failed"]
    for one in failed:
        typer.echo(f"error: {one['error']['type']}: {one['error']['message']}", err=True)
    if failed:
        raise typer.Exit(code=2)


CatalogOpt = Annotated[Path | None, typer.Option(help="Source catalogue YAML (default: the demo catalogue, bundled samples)")]
DataDirOpt = Annotated[Path | None, typer.Option(help="Data folder; the raw archive is DATA_DIR/raw (default: data or $NIANBAO_DATA_DIR)")]
DbOpt = Annotated[Path | None, typer.Option(help="DuckDB file (default: data/warehouse.duckdb or $NIANBAO_DB)")]


@app.command()
def crawl(catalog: Annotated[Path, typer.Option(help="Source catalogue YAML")], data_dir: DataDirOpt = None,
          db: DbOpt = None) -> None:
    """Discover and fetch reports from the catalogue's sources into the raw archive; print a summary."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from pipelines.defs.resources import DEFAULT_DATA_DIR, DEFAULT_DB
    from pipelines.scrape.catalog import CatalogError, load_catalog
    from pipelines.scrape.crawl import crawl_into
    from warehouse.db import connect

    try:
        cat = load_catalog(catalog)
    except CatalogError as err:
        typer.echo(f"error: catalog: {err}", err=True)
        raise typer.Exit(code=2) from None
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True, disable=not sys.stderr.isatty()) as bar:
        tasks = {s.name: bar.add_task(s.name, total=None) for s in cat.enabled()}
        counts: dict[str, int] = dict.fromkeys(tasks, 0)

        def progress(source: str, what: str) -> None:
            counts[source] += 1
            bar.update(tasks[source], description=f"{source}: {counts[source]} fetched — {what[:80]}")

        with connect(db or DEFAULT_DB) as conn:
            result = crawl_into(conn, cat, data_dir or DEFAULT_DATA_DIR, progress=progress)
    for line in result.lines():
        typer.echo(line)


@app.command("discover-sources")
def discover_sources(
    site: Annotated[str, typer.Option(help="A portal's home page or its 政府信息公开 page")],
    allow: Annotated[list[str] | None, typer.Option(help="Hosts that may be followed (default: the site's host); repeatable")] = None,
    depth: Annotated[int, typer.Option(help="Link hops from the site to a column")] = 4,
    max_pages: Annotated[int, typer.Option(help="Pages to read at most")] = 200,
    allow_private_addresses: Annotated[bool, typer.Option(help="Allow loopback/private addresses (local test portals)")] = False,
) -> None:
    """Find a site's 政府信息公开年报 columns (and their CMS) and print catalogue entries to review."""
    from pipelines.scrape.survey import survey_site

    typer.echo(survey_site(site, allow, allow_private_addresses, depth, max_pages).yaml(), nl=False)


@app.command()
def ingest(
    catalog: CatalogOpt = None,
    source: Annotated[Path | None, typer.Option(help="A plain folder of documents instead of a catalogue")] = None,
    data_dir: DataDirOpt = None,
    db: DbOpt = None,
    max_documents: Annotated[int, typer.Option(help="Backfills: load at most N new documents this run (0 = all)")] = 0,
) -> None:
    """Run the nightly_ingest Dagster job in-process: discover (crawl or folder), parse, validate, load."""
    from pipelines import arguments
    from pipelines.defs.resources import DEFAULT_CATALOG, DEFAULT_FOLDER

    _refuse_bad(arguments.ingest_inputs, str(source) if source else DEFAULT_FOLDER, str(catalog or DEFAULT_CATALOG))
    _run_job("nightly_ingest", str(db or _default_db()), str(source) if source else None,
             str(catalog) if catalog else None, str(data_dir) if data_dir else None,
             {"source_documents": {"config": {"max_documents": max_documents}}} if max_documents else None, command="ingest")


def _refuse_bad(check: Callable[..., T], *args: object) -> T:
    """Run an argument check; a bad argument ends here in one line on stderr and exit 2, before any run."""
    from pipelines.arguments import BadArgument

    try:
        return check(*args)
    except BadArgument as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None


def _run_job(job: str, db_path: str, source: str | None, catalog: str | None, data_dir: str | None,
             ops: dict | None = None, *, command: str) -> None:
    """Run a job in this process, recorded in the persistent Dagster instance (visible in the UI)."""
    from pipelines.definitions import build_defs
    from pipelines.defs.cli_runs import execute_as_location_run
    from pipelines.defs.instance import open_instance, process_tags, reap_dead_runs
    from pipelines.defs.run_tags import command_tags
    from pipelines.ingest import failing_now, summarize
    from warehouse.publish import published_path_for

    defs = build_defs(db_path, source, catalog, data_dir)
    instance, which = open_instance()
    with instance:
        for run_id in reap_dead_runs(instance):
            typer.echo(f"run {run_id} had died mid-run (its process is gone): marked failed, its writer slot freed", err=True)
        # a run of the code location like a scheduled one (job page, timeline, alerts), tagged with this command
        result = execute_as_location_run(
            defs.resolve_job_def(job), instance, tags={**process_tags(), **command_tags(command)},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}, **({"ops": ops} if ops else {})})
    if not result.success:
        typer.echo(f"{job} failed (run {result.run_id}); see the Dagster events above", err=True)
        raise typer.Exit(code=1)
    refs = result.output_for_node("source_documents")
    validated = result.output_for_node("parsed_reports")
    load_meta, crawl_id = {}, None
    for ev in result.get_asset_materialization_events():
        mat = ev.event_specific_data.materialization
        if mat.asset_key.path == ["warehouse_tables"]:
            load_meta = {k.removeprefix("loaded_"): v.value for k, v in mat.metadata.items() if k.startswith("loaded_")}
        if mat.asset_key.path == ["source_documents"] and "crawl_id" in mat.metadata:
            crawl_id = str(mat.metadata["crawl_id"].value)  # its folder files skipped are listed
    published = published_path_for(db_path)
    sql_db = None if published == published_path_for(_default_db()) else str(published)
    for line in summarize(refs, validated, load_meta, db_path, failing_now(db_path, result.run_id), sql_db,
                          crawl_id).lines():
        typer.echo(line)
    typer.echo(f"run {result.run_id} of {job} recorded in the {which}")


@app.command()
def backfill(
    sources: Annotated[list[str] | None, typer.Argument(help="Catalogue sources to run (default: every enabled source)")] = None,
    catalog: CatalogOpt = None,
) -> None:
    """National mode: queue `source_ingest` runs for the catalogue's sources, up to NIANBAO_PORTALS_PER_RUN
    consecutive sources a run (a partition range; Dagster's backfill policy on the assets). The daemon
    (`make ui`, or `dagster-daemon run`) executes them up to the queue's limit at a time, and the last
    source run to stage loads. The daemon must see the same NIANBAO_* settings."""
    from pipelines.definitions import defs
    from pipelines.defs.cli_runs import submit_as_location_run
    from pipelines.defs.instance import open_instance
    from pipelines.defs.partitions import (
        SOURCE_JOB,
        batch_tags,
        catalog_sources,
        source_batches,
        sync_partitions,
    )
    from pipelines.defs.resources import DEFAULT_CATALOG
    from pipelines.defs.run_tags import command_tags
    from pipelines.scrape.catalog import CatalogError, load_catalog

    path = str(catalog or DEFAULT_CATALOG)
    try:
        enabled = [s.name for s in load_catalog(path).enabled()]
    except CatalogError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    unknown = sorted(set(sources or []) - set(enabled))
    if unknown:
        typer.echo(f"error: not enabled sources of {path}: {', '.join(unknown)}", err=True)
        raise typer.Exit(code=2)
    chosen = sources or enabled
    # The runs are created here, under the code location's origin, and put on the run queue (no
    # `dagster job backfill` process loading the workspace again): docs/decisions.md.
    job = defs.resolve_job_def(SOURCE_JOB)
    instance, which = open_instance()
    with instance:
        added = sync_partitions(instance, enabled)
        batches = source_batches(instance.get_dynamic_partitions(catalog_sources.name), chosen)
        runs = [submit_as_location_run(job, instance, {**command_tags("backfill"), **batch_tags(b)}) for b in batches]
    typer.echo(f"{which}; partitions added: {len(added)}", err=True)
    for batch, run in zip(batches, runs, strict=True):
        typer.echo(f"run {run.run_id} queued: {len(batch)} source(s), {batch[0]}" + (f" … {batch[-1]}" if len(batch) > 1 else ""))
    typer.echo(f"{len(runs)} run(s) queued for {len(chosen)} source(s)")


GONE_EXIT = 3  # `reparse` named a document whose file is gone: nothing was done for it


@app.command()
def reparse(documents: Annotated[list[str], typer.Argument(help="Source URL/path or sha256 prefix of loaded documents")],
            db: DbOpt = None) -> None:
    """Re-parse the named documents from the raw archive and reload them (e.g. one after a fix). A document
    whose file is gone is not re-parsed: its last version stays, the command says why and exits 3."""
    import duckdb

    from pipelines import arguments
    from warehouse import lifecycle

    db_path = str(db or _default_db())
    _refuse_bad(arguments.reparse_keys, db_path, documents)
    _run_job("nightly_ingest", db_path, None, None, None,
             {"source_documents": {"config": {"reparse": documents}}, "parsed_reports": {"config": {"force": True}}}, command="reparse")
    with duckdb.connect(db_path, read_only=True) as conn:
        named = lifecycle.resolve(conn, documents)
        # gone with nothing left to read (a gone URL's archived copy still re-parses)
        gone = [s for s in lifecycle.states(conn, [source for source, _sha in named])
                if s.gone_since is not None and not Path(s.bytes_at).is_file()]
    for s in gone:
        typer.echo(f"not re-parsed: {s.source} is gone since {_utc(s.gone_since)} UTC ({s.gone_evidence}); "
                   "its last loaded version stays as it was. "
                   + (f"Retired by {s.retired_by} on {_utc(s.retired_at)} UTC: {s.retired_why}" if s.state == "retired"
                      else f"Restore the file, or if it will not come back: nianbao retire {s.sha256[:12]} --why \"…\""),
                   err=True)
    if gone:
        raise typer.Exit(code=GONE_EXIT)


@app.command("reparse-failed")
def reparse_failed(db: DbOpt = None, data_dir: DataDirOpt = None) -> None:
    """Re-parse the documents failing now (failed, or cells left unplaced) from the raw archive and reload them.
    Those whose file is gone are listed, not re-parsed (restore them or `nianbao retire` them)."""
    import duckdb

    from warehouse import lifecycle

    db_path = str(db or _default_db())
    _run_job("reparse_failed", db_path, None, None, str(data_dir) if data_dir else None, command="reparse-failed")
    with duckdb.connect(db_path, read_only=True) as conn:
        gone = lifecycle.gone_failing(conn)
    for source, sha, since, _bytes_at in [g for g in gone if not Path(g[3]).is_file()]:
        typer.echo(f"not re-parsed: {source} is gone since {_utc(since)} UTC; restore the file, or if it will "
                   f"not come back: nianbao retire {sha[:12]} --why \"…\"", err=True)


@app.command()
def retire(
    document: Annotated[str, typer.Argument(help="Source URL/path or sha256 prefix of a loaded document")],
    why: Annotated[str, typer.Option("--why", help="Why it will not come back (recorded)")],
    by: Annotated[str | None, typer.Option("--by", help="Who retires it (default: the operating-system user)")] = None,
    db: DbOpt = None,
) -> None:
    """Retire a document that will never come back: recorded with who, why and when; the no_failed_parses
    check stops counting it and lists it as retired."""
    import getpass

    from warehouse import lifecycle
    from warehouse.db import connect

    db_path = Path(db or _default_db())
    if not why.strip():
        typer.echo("error: --why must say why the document is retired", err=True)
        raise typer.Exit(code=2)
    if not db_path.exists():
        typer.echo(f"error: no warehouse at {db_path}", err=True)
        raise typer.Exit(code=2)
    try:
        who = by or getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        who = "unknown"
    with connect(db_path) as conn:
        named = lifecycle.resolve(conn, [document])
        if len(named) != 1:
            found = "; ".join(f"{source} ({sha[:12]})" for source, sha in named)
            typer.echo(f"error: {document!r} names {len(named)} loaded documents"
                       + (f": {found}; give a longer sha256 prefix, the URL or the path" if named else ""), err=True)
            raise typer.Exit(code=2)
        (source, sha), = named
        when = lifecycle.retire(conn, source, sha, who, why.strip())
    typer.echo(f"retired {source} (sha256 {sha[:12]}) at {when:%Y-%m-%d %H:%M} UTC by {who}: {why.strip()}")
    typer.echo("no_failed_parses no longer counts it and lists it as retired (from the next run or check evaluation)")


@app.command()
def ui(host: Annotated[str, typer.Option(help="Address to serve on")] = "127.0.0.1",
       port: Annotated[int, typer.Option(help="Port")] = 3000) -> None:
    """The Dagster UI (webserver + daemon) on the instance in $DAGSTER_HOME; Ctrl-C or SIGTERM stops all of it."""
    from pipelines.defs.instance import open_instance
    from pipelines.defs.ui import serve

    instance, which = open_instance()  # the same instance the command line records its runs in
    instance.dispose()
    typer.echo(which, err=True)
    raise typer.Exit(code=serve(host, port))


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet (partitioned by year) or csv")] = "parquet",
    out: Annotated[Path, typer.Option(help="Folder to write (created)")] = Path("export"),
    db: Annotated[Path | None, typer.Option(help="Warehouse to export (default: the published copy)")] = None,
) -> None:
    """Every table and view as Parquet or CSV files, with the data dictionary and a manifest beside them."""
    from warehouse.export import FORMATS
    from warehouse.export import export as run_export
    from warehouse.publish import published_path_for

    if fmt not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(code=2)
    source = db or published_path_for(_default_db())
    if not Path(source).exists():
        typer.echo(f"error: no warehouse at {source} (run `make ingest` first)", err=True)
        raise typer.Exit(code=2)
    items = run_export(source, out, fmt)
    typer.echo(f"{len(items)} tables and views from {source} → {out} ({fmt}); {out / 'DATA_DICTIONARY.md'}")


@app.command()
def site(
    out: Annotated[Path, typer.Option(help="Folder to write the site into (created; a rebuild reuses its page images)")] = Path("site"),
    db: Annotated[Path | None, typer.Option(help="Warehouse to publish (default: the published copy)")] = None,
    workers: Annotated[int, typer.Option(help="Processes rendering PDF page images")] = 2,
    archive_url: Annotated[str | None, typer.Option(help="Link archived copies to the raw archive served here "
                                                         "(<url>/<sha[:2]>/<sha>) instead of copying them into the site")] = None,
    review: Annotated[Path | None, typer.Option(help="A `catalogue build` folder (or its review.csv): add the page of "
                                                "sites to review")] = None,
) -> None:
    """A static web site of the warehouse: overview, agency profiles, rankings, search; every number one click
    from where it was printed. Opens from file:// or any static host (docs/explorer.md)."""
    from warehouse.publish import published_path_for
    from warehouse.site.build import build_site
    from warehouse.site.vendor import VendorError

    source = db or published_path_for(_default_db())
    if not Path(source).exists():
        typer.echo(f"error: no warehouse at {source} (run `make ingest` first)", err=True)
        raise typer.Exit(code=2)
    if review is not None and not (review / "review.csv" if review.is_dir() else review).is_file():
        typer.echo(f"error: --review: no review.csv at {review}", err=True)
        raise typer.Exit(code=2)
    try:
        s = build_site(source, out, workers=workers, archive_url=archive_url, review=review)
    except VendorError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    for problem in s.problems:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"{s.agencies} agencies, {s.agency_years} agency-years, {s.reports} report versions; "
               f"{s.page_images} page images, {s.pictures} pictures, {s.archived} archived copies added; "
               f"{s.files} files, {s.bytes / 1e6:.1f} MB in {s.seconds:.1f} s → {out / 'index.html'}")


class Level(StrEnum):
    province = "province"
    prefecture = "prefecture"
    county = "county"
    township = "township"


@app.command()
def assess(
    year: Annotated[int, typer.Option(help="The report year to assess")],
    out: Annotated[Path, typer.Option(help="Folder to write the CSV files and the printable HTML report into")],
    province: Annotated[str | None, typer.Option(help="Only this province (as the warehouse writes it, e.g. 江苏省)")] = None,
    level: Annotated[Level | None, typer.Option(help="Only this level")] = None,
    db: Annotated[Path | None, typer.Option(help="Warehouse to read (default: the published copy)")] = None,
    config: Annotated[Path | None, typer.Option(help="Assessment parameters (default: warehouse/reference/assessment.yaml)")] = None,
    weight: Annotated[list[str] | None, typer.Option(help="indicator=weight, overriding the parameters' weight; repeatable")] = None,
) -> None:
    """The assessment of a year's reports (docs/assessment.md): scorecards, every indicator with its evidence and basis,
    the distribution (CSV) and a printable HTML report with the league table — from the warehouse alone."""
    from pipelines import arguments
    from warehouse.assessment_report import write
    from warehouse.publish import published_path_for

    source = db or published_path_for(_default_db())
    cfg = _refuse_bad(arguments.assessment_config, config, weight or [])
    _refuse_bad(arguments.assessment_scope, source, year, province, level.value if level else None)
    report = write(source, out, year, province, level.value if level else None, cfg)
    typer.echo(f"{report.agency_years} agency-years ({report.scope}) from {source} → "
               + ", ".join(str(f) for f in report.files))


@app.command()
def dictionary(out: Annotated[Path, typer.Option(help="Markdown file to write")] = Path("docs/data_dictionary.md")) -> None:
    """Write the data dictionary (tables, views, columns, codes in Chinese and English) from the DDL and schemas/."""
    from warehouse.dictionary import build_fresh

    out.write_text(build_fresh() + "\n", encoding="utf-8")
    typer.echo(str(out))


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="A query to run and print; without one, an interactive SQL IDE opens")] = None,
    db: Annotated[Path | None, typer.Option(help="Warehouse to open (default: the published copy)")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Run the query in this .sql file (e.g. the cookbook's)")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, csv, json (a list of objects) or line "
                                                               "(one `column = value` a line: wide rows)")] = OutputFormat.table,
) -> None:
    """SQL on the published warehouse, read-only: one query printed (a table, CSV, JSON or lines), or Harlequin (a terminal SQL IDE)."""
    import os

    import duckdb
    from rich.console import Console
    from rich.table import Table

    from pipelines import arguments
    from pipelines.sql_output import render
    from warehouse.publish import published_path_for

    path = db or published_path_for(_default_db())
    if not Path(path).exists():
        typer.echo(f"error: no warehouse at {path} (run `make ingest` first)", err=True)
        raise typer.Exit(code=2)
    if file is not None:
        query = _refuse_bad(arguments.query_file, file)
    if query is None:
        # the IDE reads the file with this project's DuckDB (the same storage version as the writer)
        os.execvp("harlequin", ["harlequin", "--read-only", str(path)])
    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            cur = conn.execute(query)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchall()
    except duckdb.Error as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    if fmt is not OutputFormat.table:
        typer.echo(render(columns, rows, fmt), nl=False)
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    Console(width=200).print(table)


catalogue_app = typer.Typer(no_args_is_help=True, help="The national site catalogue (pipelines/catalog/china/): seed it, import site lists.")
app.add_typer(catalogue_app, name="catalogue")


@catalogue_app.command("seed")
def catalogue_seed(
    out: Annotated[Path | None, typer.Option(help="Folder to write (default: pipelines/catalog/china)")] = None,
    research: Annotated[Path | None, typer.Option(help="The researched report addresses (default: "
                                                  "../shared/research/gov_sites/report_urls.tsv)")] = None,
) -> None:
    """Build the seed from the locked gov-site-list package and the researched report addresses (no network)."""
    from pipelines.sites.seed import DEFAULT_OUT, DEFAULT_RESEARCH, SeedError, build_seed, write_seed

    tsv = research or DEFAULT_RESEARCH
    if not tsv.is_file():
        typer.echo(f"error: --research: no such file: {tsv}", err=True)
        raise typer.Exit(code=2)
    try:
        seed = build_seed(tsv)
    except SeedError as err:
        typer.echo(f"error: --research: {err}", err=True)
        raise typer.Exit(code=2) from None
    written = write_seed(seed, out or DEFAULT_OUT)
    kinds = [e.kind for e in seed.entries]
    typer.echo(f"{len(seed.entries)} entries ({kinds.count('home_page')} home pages, {kinds.count('report_address')} "
               f"report addresses) in {len(written)} files under {out or DEFAULT_OUT}; every one verified: never")


@catalogue_app.command("import")
def catalogue_import(
    file: Annotated[Path, typer.Argument(help="A site list: .csv (UTF-8 or GB18030), .zip of CSV, or .xlsx")],
    map_: Annotated[str, typer.Option("--map", help="Columns by header: name=网站名称,code=网站标识码,home=首页网址[,owner=主办单位]")],
    sheet: Annotated[str | None, typer.Option(help="The XLSX sheet (default: the first)")] = None,
    seen: Annotated[str | None, typer.Option(help="When the list was exported, YYYY-MM-DD (default: today, UTC)")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write import-<file>.yaml into (default: pipelines/catalog/china)")] = None,
) -> None:
    """Import a site list: one entry per row, its region from the site code, rejected rows listed with why."""
    import re
    from datetime import date

    from pipelines.sites.entries import dump_site_list
    from pipelines.sites.importer import SiteImportError, import_sites, parse_mapping
    from pipelines.sites.seed import DEFAULT_OUT

    try:
        mapping = parse_mapping(map_)
        when = date.fromisoformat(seen) if seen else datetime.now(UTC).date()
    except SiteImportError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    except ValueError:
        typer.echo(f"error: --seen: not a date (YYYY-MM-DD): {seen}", err=True)
        raise typer.Exit(code=2) from None
    if not file.is_file():
        typer.echo(f"error: FILE: no such file: {file}", err=True)
        raise typer.Exit(code=2)
    try:
        got = import_sites(file, mapping, sheet, when)
    except SiteImportError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=2) from None
    folder = out or DEFAULT_OUT
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", file.stem).strip("_") or "list"
    target = folder / f"import-{stem}.yaml"
    target.write_text(dump_site_list(got.entries, f"Imported by `nianbao catalogue import` from {file.name} "
                                     f"(exported {when}).\nverified: never = no page of the site has confirmed "
                                     "its owner (<meta name=\"SiteIDCode\">) yet."), encoding="utf-8")
    typer.echo(f"{len(got.entries)} entries written to {target}; {len(got.rejected)} row(s) rejected")
    for where, why in got.rejected:
        typer.echo(f"  rejected {where}: {why}")


@catalogue_app.command("build")
def catalogue_build(
    sites: Annotated[Path, typer.Option(help="A site catalogue folder (pipelines/catalog/china) or one list file (an import)")],
    out: Annotated[Path, typer.Option(help="Folder for state.jsonl, sites.yaml, sources.yaml, review.csv")],
    resume: Annotated[bool, typer.Option("--resume/--refresh", help="Skip sites already checked in OUT (default), "
                                         "or check every site again")] = True,
    older_than: Annotated[float | None, typer.Option(help="Also check again the sites last checked more than this "
                                                     "many days ago")] = None,
    concurrency: Annotated[int, typer.Option(help="Sites checked at once")] = 16,
    rate_limit_seconds: Annotated[float, typer.Option(help="Minimum gap between two requests to one host")] = 1.0,
    depth: Annotated[int, typer.Option(help="Link hops from a home page to a 年报 column")] = 4,
    max_pages: Annotated[int, typer.Option(help="Listing and discovery pages per site")] = 50,
    proxy: Annotated[str | None, typer.Option(help="Send every request through this HTTP proxy")] = None,
    allow_private_addresses: Annotated[bool, typer.Option(help="Allow loopback/private addresses (local test portals)")] = False,
) -> None:
    """Check every listed site: 年报 columns, SiteIDCode, moved host; write the crawl catalogue and a review CSV."""
    from pipelines.sites.build import BuildSettings, build_catalogue, summary
    from pipelines.sites.entries import SiteListError

    if not sites.exists():
        typer.echo(f"error: --sites: no such file or folder: {sites}", err=True)
        raise typer.Exit(code=2)
    settings = BuildSettings(concurrency=concurrency, rate_limit_seconds=rate_limit_seconds, discovery_depth=depth,
                             max_listing_pages=max_pages, proxy=proxy, allow_private_addresses=allow_private_addresses)
    try:
        result = build_catalogue(sites, out, settings, refresh=not resume, older_than_days=older_than,
                                 progress=lambda s: typer.echo(f"  {s.name}: {s.status}, meta {s.meta}, "
                                                               f"{len(s.columns)} column(s)", err=True))
    except SiteListError as err:
        typer.echo(f"error: --sites: {err}", err=True)
        raise typer.Exit(code=2) from None
    for line in summary(result):
        typer.echo(line)


@catalogue_app.command("load")
def catalogue_load(
    built: Annotated[Path, typer.Option(help="A `catalogue build` folder (or its sites.yaml)")],
    db: DbOpt = None,
    publish_copy: Annotated[bool, typer.Option("--publish/--no-publish", help="Also refresh the published copy "
                                               "the explorer reads")] = True,
) -> None:
    """Load a built catalogue into the warehouse (catalogue_sites): coverage per province on the explorer's overview.
    `ingest --catalog OUT/sources.yaml` does the same with OUT/sites.yaml."""
    from pydantic import ValidationError

    from pipelines.sites.coverage import record_built
    from warehouse.db import connect
    from warehouse.publish import publish

    file = built / "sites.yaml" if built.is_dir() else built
    if not file.is_file():
        typer.echo(f"error: --built: no sites.yaml at {built}", err=True)
        raise typer.Exit(code=2)
    path = str(db or _default_db())
    try:
        with connect(path) as conn:
            n = record_built(conn, file)
            rows = conn.execute("SELECT province, portals_seeded, portals_verified, portals_with_column, portals_crawled, "
                                "reports_found FROM catalogue_coverage_by_province").fetchall()
    except (ValidationError, ValueError) as err:
        typer.echo(f"error: {file}: not a built catalogue ({str(err).splitlines()[0]})", err=True)
        raise typer.Exit(code=2) from None
    if publish_copy:
        publish(path)
    typer.echo(f"{n} site(s) of {file} loaded into {path}")
    for province, seeded, verified, column, crawled, found in rows:
        typer.echo(f"  {province}: {seeded} seeded, {verified} verified, {column} with a 年报 column, "
                   f"{crawled} crawled, {found} report document(s) found")


def _utc(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M}"


def _default_db() -> str:
    from pipelines.defs.resources import DEFAULT_DB

    return DEFAULT_DB


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
