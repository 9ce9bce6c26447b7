"""``python -m toolkit.report``: build every report with ``reports.yml`` (for debugging)."""

from toolkit.report.build import build_reports

if __name__ == "__main__":  # pragma: no cover
    build_reports()
