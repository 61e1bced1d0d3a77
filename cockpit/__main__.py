"""python -m cockpit: the program's entry point, a thin shim over service.cli.

The one module of the core allowed to import a layer above it (tests/test_layers.py names it):
nothing imports this file, and the operators' command stays `python -m cockpit`.
"""
import sys

from service.cli import main

if __name__ == "__main__":
    sys.exit(main())
