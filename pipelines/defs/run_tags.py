"""Tags that say what a run did, on every run of the ingestion jobs whoever launched it: the command
(or schedule) that started it, the documents' source, how many documents it took in, the parser
version. Without them every command-line run read "nightly_ingest · Manually launched", a demo night
indistinguishable from the re-parse of one document.

The command is known when the run is created (the CLI, the schedules, `nianbao backfill` tag it);
the source and the number of documents only once discovery has run, so the discovery step adds them
to its own run."""

from __future__ import annotations

import dagster as dg

from pipelines.parse.report import PARSER_VERSION

COMMAND, SOURCE, DOCUMENTS, PARSER = "nianbao/command", "nianbao/source", "nianbao/documents", "nianbao/parser_version"
SCHEDULE = "schedule"  # the command tag of a run a schedule launched
NAMES_SHOWN = 5  # a national catalogue names 10^5 sources: the tag names the first few and counts the rest


def command_tags(command: str) -> dict[str, str]:
    return {COMMAND: command}


def sources_named(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return f"{shown} … (+{len(names) - NAMES_SHOWN} more)" if len(names) > NAMES_SHOWN else shown


def tag_discovery(context: dg.AssetExecutionContext, source: str, documents: int) -> None:
    """Add to the step's run what it found: where from, how many documents, which parser reads them."""
    context.instance.add_run_tags(context.run.run_id, {SOURCE: source, DOCUMENTS: str(documents), PARSER: PARSER_VERSION})
