"""`python -m vconf`."""

from vconf.cli import main

main()
