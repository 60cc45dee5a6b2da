"""Alerts on what matters: a run that fails, and a run whose no_failed_parses check finds new failed
parses (one alert per run, never one per document). The hook point is ``notify``: it appends one
JSON line to ``$DAGSTER_HOME/alerts.jsonl`` and, when ``NIANBAO_ALERT_WEBHOOK`` is set, POSTs the
same JSON there (Slack/Teams/e-mail gateways accept such a webhook)."""


import json
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import httpx


def notify(payload: dict) -> None:
    home = Path(os.environ.get("DAGSTER_HOME", ".dagster_home"))
    home.mkdir(parents=True, exist_ok=True)
    with (home / "alerts.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(payload, ensure_ascii=False) + "\n")
    url = os.environ.get("NIANBAO_ALERT_WEBHOOK")
    if url:
        try:
            httpx.post(url, json=payload, timeout=10)
        except httpx.HTTPError as err:  # an alert channel being down must not fail the sensor
            dg.get_dagster_logger().warning(f"alert webhook failed: {err}")


@dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Records every failed run (alerts.jsonl) and sends it to the alert webhook.")
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    payload = {"at": datetime.now(UTC).isoformat(), "run_id": run.run_id, "job": run.job_name,
               "message": context.failure_event.message,
               "failed_steps": sorted({e.step_key for e in context.get_step_failure_events() if e.step_key})}
    context.log.error(f"run {run.run_id} of {run.job_name} failed: {payload['message']}")
    notify(payload)


def new_failures_alert(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict | None:
    """The alert for a run whose no_failed_parses check failed with failures first seen in that run:
    one payload for the run (all its new failures), none when nothing new broke — outstanding
    failures were alerted on the night they appeared."""
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data
        if evaluation.check_name != "no_failed_parses" or evaluation.passed:
            continue
        meta = evaluation.metadata
        new = meta["new_this_run"].value if "new_this_run" in meta else 0
        if not new:
            return None
        return {"at": datetime.now(UTC).isoformat(), "run_id": run.run_id, "job": run.job_name, "kind": "new_failed_parses",
                "new_failures": new, "outstanding": meta["outstanding"].value if "outstanding" in meta else 0,
                "message": meta["summary"].value if "summary" in meta else ""}
    return None


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, name="alert_on_new_failures",
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="One alert per run whose no_failed_parses check found new failed parses "
                                  "(alerts.jsonl + webhook); outstanding ones are not re-sent every night.")
def alert_on_new_failures(context: dg.RunStatusSensorContext) -> None:
    payload = new_failures_alert(context.instance, context.dagster_run)
    if payload:
        context.log.error(f"run {payload['run_id']}: {payload['new_failures']} new failed parse(s): {payload['message']}")
        notify(payload)
