"""`python -m vconf`."""

import sys

try:
    from vconf.cli import main
except KeyboardInterrupt:  # Ctrl-C while the modules load: no traceback, the usual exit code
    sys.exit(130)

main()
