import sys

from worlds.cli import main

sys.exit(main())
