"""Jobs and workers: the worker loop and its slots, the rescuer, and the child process in
which generation runs."""
