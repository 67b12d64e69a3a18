"""The client half of the `worlds` command: manifest-*, graph-*, *-details and job-*.

It speaks the documented REST API (`/work/shared/spec/worlds-api.md`; the paths are the
`google.api.http` rules of `protos/worlds/v1/worlds_service.proto`), so it needs nothing of
the server but its URL and an API key, and it works against any deployment of the contract.

- `parser.py`: each command's flags and arguments (REST field names as aliases), registered
  by `worlds.cli`; all that a command imports before it runs;
- `routes.py`: the REST route of each RPC, from the table `routegen.py` derives from the protos;
- `options.py`: where --server, --api-key, --org and --workspace come from;
- `http.py`: requests (the standard library's), and the error envelope turned into
  `errors.ApiError`;
- `wait.py` and `progress.py`: job-wait, which follows the job's watch stream;
- `output.py` and `views.py`: JSON and the tables a person reads;
- `commands.py`: what each command does, imported when one runs.
"""
