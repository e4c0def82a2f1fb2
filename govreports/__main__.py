import sys

from govreports.cli import main

sys.exit(main())
