"""The `lifecycle` command line: typer commands that call services and render results."""
