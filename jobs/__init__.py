"""Scheduled jobs (the compliance run and the scheduler) — built in a later issue."""
