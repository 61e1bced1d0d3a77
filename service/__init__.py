"""The service layer: what runs things (child processes, first run, the command line, schedules)."""
