"""Run the staff command line: `python -m bot.appeals.service --help`."""

from bot.appeals.service.cli import main

raise SystemExit(main())
