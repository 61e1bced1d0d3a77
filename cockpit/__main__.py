"""python -m cockpit: the program's entry point, a thin shim over service.cli (and, for `serve`,
service.serve_cli alone, so the web server starts without importing every command first).

The one module of the core allowed to import a layer above it (tests/test_layers.py names it):
nothing imports this file, and the operators' command stays `python -m cockpit`.
"""
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:  # straight to the web server: no other command's imports first
        from service.serve_cli import main as serve
        sys.exit(serve(sys.argv[2:]))
    if sys.argv[1:2] == ["import"]:  # the checking child imports while this process does (issue 14)
        from service.sandbox import UPLOADS, prestart
        prestart(UPLOADS)
    from service.cli import main
    sys.exit(main())
