"""The client half of the `worlds` command: manifest-*, graph-*, *-details and job-*.

It speaks the documented REST API (`/work/shared/spec/worlds-api.md`; the paths are the
`google.api.http` rules of `protos/worlds/v1/worlds_service.proto`), so it needs nothing of
the server but its URL and an API key, and it works against any deployment of the contract.

- `options.py`: where --server, --api-key, --org and --workspace come from;
- `http.py`: requests, and the error envelope turned into `errors.ApiError`;
- `wait.py` and `progress.py`: job-wait, which follows the job's watch stream;
- `output.py` and `views.py`: JSON and the tables a person reads;
- `commands.py`: the commands themselves, registered by `worlds.cli`.
"""
