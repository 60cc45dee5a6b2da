"""Test-document forge: random truths that obey the format, rendered as report documents."""
