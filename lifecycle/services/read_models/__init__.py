"""Read models: what the CLI and the TUI show, read in one unit of work and changing nothing."""
