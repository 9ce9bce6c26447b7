"""``python -m toolkit`` is the ``fptk`` command line."""

from toolkit.cli import main

raise SystemExit(main())
