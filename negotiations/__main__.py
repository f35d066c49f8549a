"""``python -m negotiations``: the same as the ``negotiations`` command."""

from negotiations._cli import main

raise SystemExit(main())
