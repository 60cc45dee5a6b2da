"""`nianbao` command line: parse one document, or run the nightly ingestion in-process."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="China government information-disclosure annual reports → DuckDB.")


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="A report document (HTML, text; PDF/Word to come)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract object")] = False,
) -> None:
    """Parse one document and show what was extracted."""
    from pipelines.parse.report import parse_path
    from pipelines.validate import to_contract, validate

    vr = validate(parse_path(path))
    out = to_contract(vr)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        typer.echo(f"{out['document']}: {out['status']} ({vr.status}) {out['agency']} {out['year']} {out['table_formats']}")
        for v in out["violations"]:
            typer.echo(f"  [{v['origin']}/{v['severity']}] {v['rule']}: {v['message']}")
    if out["status"] == "failed":
        typer.echo(f"error: {out['error']['type']}: {out['error']['message']}", err=True)
        raise typer.Exit(code=2)


@app.command()
def ingest(
    source: Annotated[Path | None, typer.Option(help="Folder of documents (default: the bundled samples)")] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: data/warehouse.duckdb or $NIANBAO_DB)")] = None,
) -> None:
    """Run the nightly_ingest Dagster job in-process over a folder of documents."""
    from pipelines.definitions import DEFAULT_DB, build_defs
    from pipelines.ingest import summarize

    db_path = str(db or DEFAULT_DB)
    defs = build_defs(db_path, str(source) if source else None)
    result = defs.resolve_job_def("nightly_ingest").execute_in_process(
        raise_on_error=False, run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    )
    if not result.success:
        typer.echo("nightly_ingest failed; see the Dagster events above", err=True)
        raise typer.Exit(code=1)
    refs = result.output_for_node("source_documents")
    validated = result.output_for_node("parsed_reports")
    load_meta = {}
    for ev in result.get_asset_materialization_events():
        mat = ev.event_specific_data.materialization
        if mat.asset_key.path == ["warehouse_tables"]:
            load_meta = {k.removeprefix("loaded_"): v.value for k, v in mat.metadata.items() if k.startswith("loaded_")}
    for line in summarize(refs, validated, load_meta, db_path).lines():
        typer.echo(line)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
