"""`nianbao` as a release with a parser bug would run it (documents containing FIXME fail to parse):
lets a test drive the real command line in a subprocess, night after night, then switch to the
fixed release (plain `python -m pipelines.cli`)."""

from pipelines.parse import report
from tests.doubles import failing_on_marker

report.parse_bytes = failing_on_marker

if __name__ == "__main__":
    from pipelines.cli import app

    app()
