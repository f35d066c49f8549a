"""``python -m negotiations``: the same as the ``negotiations`` command."""

from negotiations.cli import main

raise SystemExit(main())
