"""``python -m hrgraph`` runs the command line."""

from hrgraph.cli import main

main(prog_name="hrgraph")
