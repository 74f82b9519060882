"""``python -m bot`` does what the ``tandem`` command does."""

import sys

from bot.cli import main

sys.exit(main())
