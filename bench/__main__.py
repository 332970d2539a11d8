"""``python -m bench``: see bench/README.md and ../shared/BENCH.md."""

from bench.runner import main

raise SystemExit(main())
