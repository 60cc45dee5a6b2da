"""Random report truths in the JSON shape of ``shared/corpus/truth`` that obey the format's rules,
optionally with deliberate publisher errors (recorded in ``deliberate_errors``)."""

from __future__ import annotations

import random
from typing import Any

from schemas import format as fmt

AGENCIES = ["青石县交通运输局", "白沙市人民政府办公室", "云岭区自然资源局", "东湖镇人民政府",
            "南岸县市场监督管理局", "北川市生态环境局", "西溪区教育局", "临江县卫生健康委员会"]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def make_truth(seed: int, fmt_name: str = "2021", blank_style: str = "zeros", error: str | None = None,
               t4_blanks: bool = False) -> dict[str, Any]:
    """``t4_blanks``: table 4's zero results printed blank too (drawn from a stream of their own, so the
    other cells stay as without it); the committed corpus and the measure leave table 4 filled."""
    rng = random.Random(seed)
    single = fmt_name in ("2019", "hybrid")
    t2f = "2019" if fmt_name == "2019" else "2021"
    year = rng.choice([2019, 2020]) if fmt_name == "2019" else rng.choice([2021, 2022, 2023, 2024])
    cells: dict[str, Any] = {}
    for d in fmt.t2_cells(t2f):
        if d.kind == "decimal":
            cells[d.key] = round(rng.uniform(0, 5000), rng.choice([0, 2, 4, 6]))
        elif d.kind == "signed_int":
            cells[d.key] = rng.randint(-20, 40)
        elif d.kind == "text_amount":
            cells[d.key] = f"{rng.randint(1000, 9_000_000)}.{rng.randint(0, 99):02d}元"
        else:
            cells[d.key] = rng.choice([0, 0, rng.randint(1, 3000)])
    rows = [r.code for r in fmt.t3_data_rows(single)]
    leaves = [r for r in rows if r.startswith("3.3.") and r != "3.3.7"]
    applicants = list(fmt.T3_APPLICANT_COLUMNS)
    for a in applicants:
        new = rng.choice([0, rng.randint(0, 6), rng.randint(0, 80)]) if a == "np" else rng.choice([0, 0, rng.randint(0, 5)])
        carried = rng.choice([0, 0, rng.randint(0, 3)])
        forward = rng.randint(0, min(new + carried, 3))
        handled = new + carried - forward
        weights = [rng.random() ** 3 for _ in leaves]
        per_leaf = [0] * len(leaves)
        for _ in range(handled):
            per_leaf[rng.choices(range(len(leaves)), weights)[0]] += 1
        cells[f"3.1|{a}"], cells[f"3.2|{a}"], cells[f"3.4|{a}"], cells[f"3.3.7|{a}"] = new, carried, forward, handled
        for leaf, v in zip(leaves, per_leaf, strict=True):
            cells[f"{leaf}|{a}"] = v
    for r in rows:
        cells[f"{r}|total"] = sum(cells[f"{r}|{a}"] for a in applicants)
    for g in ("R", "LD", "LA"):
        parts = [rng.choice([0, 0, rng.randint(0, 9)]) for _ in range(4)]
        for k, v in zip(("maintain", "correct", "other", "pending"), parts, strict=True):
            cells[f"4|{g}.{k}"] = v
        cells[f"4|{g}.total"] = sum(parts)
    errors = []
    if error == "t3_total":
        cells["3.3.7|np"] += 3
        errors.append({"rule": "T3.results_total", "cells": ["3.3.7|np"]})
        errors.append({"rule": "T3.balance", "cells": ["3.3.7|np"]})
        errors.append({"rule": "T3.row_total", "cells": ["3.3.7|np"]})
    elif error == "t4_total":
        cells["4|R.maintain"] += 2
        errors.append({"rule": "T4.review_total", "cells": ["4|R.maintain"]})
    elif error == "t4_litigation_totals":  # (tests of table 4's shapes: errors in both litigation proceedings)
        cells["4|LD.total"] += 1
        cells["4|LA.pending"] += 4
        errors.append({"rule": "T4.direct_total", "cells": ["4|LD.total"]})
        errors.append({"rule": "T4.after_review_total", "cells": ["4|LA.pending"]})
    raw_tokens: dict[str, str] = {}
    if blank_style != "zeros":
        token = {"blank": "", "slash": "/", "dash": "—"}[blank_style]
        for k, v in list(cells.items()):
            # blanks in the applicant detail only (as real reports do), never in the totals
            if v == 0 and k.startswith("3.") and not k.endswith("|total") and rng.random() < 0.7:
                cells[k] = None
                raw_tokens[k] = token
    if t4_blanks and blank_style != "zeros":
        token = {"blank": "", "slash": "/", "dash": "—"}[blank_style]
        blanks = random.Random(seed + 11)
        for k in sorted(k for k in cells if k.startswith("4|") and not k.endswith(".total")):
            if cells[k] == 0 and blanks.random() < 0.7:
                cells[k] = None
                raw_tokens[k] = token
    table_formats = {"T2": t2f, "T3": fmt.t3_format_name(single, t2f), "T4": t2f}
    return {
        "agency": rng.choice(AGENCIES), "year": year, "seed": seed, "table_formats": table_formats,
        "cells": cells, "raw_tokens": raw_tokens, "deliberate_errors": errors, "synthetic": True,
    }
