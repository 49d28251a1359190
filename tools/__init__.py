"""Developer tools: not part of the installed runtime packages (run as ``python -m tools.X``)."""
