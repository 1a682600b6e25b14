"""Scheduled jobs: the compliance run (batches, worker processes) and the scheduler process.

A job orchestrates: it calls the services (use cases), the domain and the persistence ports.
Entry points (the CLI, the TUI) start jobs; services never import them.
"""
