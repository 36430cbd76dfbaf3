"""``python -m pipeline.validation.peers``: the peers benchmark (see ``compare.main``)."""

from pipeline.validation.peers.compare import main

raise SystemExit(main())
