"""python -m cockpit: the program's entry point, a thin shim over service.cli (and, for `serve`,
service.serve_cli alone, so the web server starts without importing every command first; for
`import`, service.import_start first, so the checking child starts reading before the imports).

The one module of the core allowed to import a layer above it (tests/test_layers.py names it):
nothing imports this file, and the operators' command stays `python -m cockpit`.
"""
import sys

if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["serve"]:  # straight to the web server: no other command's imports first
        from service.serve_cli import main as serve
        sys.exit(serve(sys.argv[2:]))
    if command == ["import"]:  # the checking child imports and reads while this process imports (issue 14)
        from service.import_start import begin
        begin(sys.argv[2:])
    from service.cli import main
    code = main()
    if command == ["import"]:
        # No interpreter teardown, as in the checking child: freeing what a 100,000-row import left
        # behind took 0.3 s the operator waited for, and all is committed; only the output to flush.
        import logging
        import os
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)
