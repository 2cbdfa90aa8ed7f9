from neurosim.cli import main

raise SystemExit(main())
