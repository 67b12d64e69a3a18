"""The domain's lowest layer: the error tree, the job state machine, leases, access roles,
ids and the clock. Imports nothing else of `worlds` but the generated `worlds.v1`."""
