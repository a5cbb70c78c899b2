"""`python -m desktop` does what the `jifen` console script does."""

from desktop.cli import main

raise SystemExit(main())
