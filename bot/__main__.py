"""``python -m bot`` does what the ``tandem`` command does."""

import sys

from bot.app.cli import main

sys.exit(main())
