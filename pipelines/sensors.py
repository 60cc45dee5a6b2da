"""Alerts: a run that fails is recorded and sent on. The hook point is ``notify``: it appends one
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
