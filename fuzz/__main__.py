"""Run the fuzzer: `python -m fuzz --seconds 600`."""

from fuzz.run import main

raise SystemExit(main())
