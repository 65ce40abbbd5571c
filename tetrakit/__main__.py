"""``python -m tetrakit`` runs the CLI."""

from tetrakit.cli import main

main()
