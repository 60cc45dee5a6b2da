"""Prose checks accuse only on evidence (issue #27, point 10): every prose rule held to a set of real
report sentences, each with the total it states or ``no_claim``, written by a person reading it
(tests/fixtures/prose_sentences.yaml, with the source of each). A rule may miss a claim (counted and
reported); it may never claim a number the sentence does not state."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schemas import prose

SENTENCES = Path(__file__).parent / "fixtures" / "prose_sentences.yaml"
# A table number no sentence of the set states: every claim a rule makes then becomes a finding,
# so the findings are exactly the rules' claims.
SENTINEL = 987654.0
VALUES = {"3.1|total": SENTINEL, "3.2|total": 0.0, "4|R.total": SENTINEL, "4|LD.total": SENTINEL, "4|LA.total": 0.0}
METRIC = {"prose.applications": "applications", "prose.reviews": "reviews", "prose.lawsuits": "lawsuits"}


def _cases() -> list[dict]:
    cases = yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))
    assert len(cases) >= 40
    for c in cases:
        assert c["source"] and (c["claims"] == "no_claim" or set(c["claims"]) <= set(METRIC.values())), c
    return cases


def _stated(case: dict) -> dict[str, float]:
    return {} if case["claims"] == "no_claim" else {k: float(v) for k, v in case["claims"].items()}


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["sentence"][:24])
def test_no_prose_rule_claims_what_the_sentence_does_not_state(case: dict) -> None:
    findings = prose.check({"S1": case["sentence"]}, VALUES)
    claimed = {METRIC[f.rule]: f.prose for f in findings}
    expected = _stated(case)
    wrong = {m: v for m, v in claimed.items() if expected.get(m) != v}
    assert wrong == {}, f"false accusation: {wrong}, the sentence states {expected or 'no total'}"


def test_the_quoted_sentence_raises_no_warning_against_55_reviews_and_34_lawsuits() -> None:
    sentence = "全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形"
    values = {"3.1|total": 120.0, "3.2|total": 3.0, "4|R.total": 55.0, "4|LD.total": 30.0, "4|LA.total": 4.0}
    assert prose.check({"S4": sentence}, values) == []


def test_missed_claims_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    """Missing a stated total is allowed (no finding, no harm); how many are missed is reported."""
    cases = _cases()
    stated = missed = 0
    for case in cases:
        claimed = {METRIC[f.rule]: f.prose for f in prose.check({"S1": case["sentence"]}, VALUES)}
        for metric, value in _stated(case).items():
            stated += 1
            missed += claimed.get(metric) != value
    with capsys.disabled():
        print(f"\nprose sentences: {len(cases)}, totals stated: {stated}, found: {stated - missed}, missed: {missed}")
    assert stated - missed >= 25  # measured: see docs/decisions.md (prose checks)
