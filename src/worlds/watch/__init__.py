"""Watching jobs: the per-process event hub that tails the event log, and the watch streams
built on it."""
