"""How a number of a report is written in a message: as printed, never as a float's repr.

Cells are stored as DOUBLE / DECIMAL, so an expected or found count is 1191.0 by the time a message
is written; "%g" would print 1234567 as 1.23457e+06. Fifteen significant digits show every count a
report prints as the integer it is (``1191``) and a fraction without noise (``453.565067``)."""

from __future__ import annotations

from decimal import Decimal


def number_text(value: float | int | Decimal | None, blank: str = "—") -> str:
    if value is None or value != value:  # NULL, or NaN (pandas' missing)
        return blank
    return f"{float(value):.15g}"
