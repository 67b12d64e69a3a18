from google.api import annotations_pb2 as _annotations_pb2
from worlds.v1 import inspection_pb2 as _inspection_pb2
from worlds.v1 import jobs_pb2 as _jobs_pb2
from worlds.v1 import manifests_pb2 as _manifests_pb2
from worlds.v1 import options_pb2 as _options_pb2
from worlds.v1 import trajectories_pb2 as _trajectories_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateManifestJobRequest(_message.Message):
    __slots__ = ("org", "workspace", "name", "project_id", "preset", "seed", "num_users", "num_hosts", "domains", "security_level")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    NUM_USERS_FIELD_NUMBER: _ClassVar[int]
    NUM_HOSTS_FIELD_NUMBER: _ClassVar[int]
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    name: str
    project_id: str
    preset: _jobs_pb2.Preset
    seed: int
    num_users: int
    num_hosts: int
    domains: _containers.RepeatedScalarFieldContainer[str]
    security_level: _jobs_pb2.SecurityLevel
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., preset: _Optional[_Union[_jobs_pb2.Preset, str]] = ..., seed: _Optional[int] = ..., num_users: _Optional[int] = ..., num_hosts: _Optional[int] = ..., domains: _Optional[_Iterable[str]] = ..., security_level: _Optional[_Union[_jobs_pb2.SecurityLevel, str]] = ...) -> None: ...

class CreateManifestJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _jobs_pb2.Job
    def __init__(self, job: _Optional[_Union[_jobs_pb2.Job, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("org", "workspace", "page", "page_size", "kind", "status", "project_id", "created_by", "page_token")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    page: int
    page_size: int
    kind: _jobs_pb2.JobKind
    status: _jobs_pb2.JobStatus
    project_id: str
    created_by: str
    page_token: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., kind: _Optional[_Union[_jobs_pb2.JobKind, str]] = ..., status: _Optional[_Union[_jobs_pb2.JobStatus, str]] = ..., project_id: _Optional[str] = ..., created_by: _Optional[str] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("items", "page", "page_size", "total", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_jobs_pb2.Job]
    page: int
    page_size: int
    total: int
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[_jobs_pb2.Job, _Mapping]]] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., total: _Optional[int] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("org", "workspace", "job_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    job_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _jobs_pb2.Job
    def __init__(self, job: _Optional[_Union[_jobs_pb2.Job, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("org", "workspace", "job_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    job_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _jobs_pb2.Job
    def __init__(self, job: _Optional[_Union[_jobs_pb2.Job, _Mapping]] = ...) -> None: ...

class ListManifestsRequest(_message.Message):
    __slots__ = ("org", "workspace", "page", "page_size", "project_id", "created_by")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    page: int
    page_size: int
    project_id: str
    created_by: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., project_id: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class ListManifestsResponse(_message.Message):
    __slots__ = ("items", "page", "page_size", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.Manifest]
    page: int
    page_size: int
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[_manifests_pb2.Manifest, _Mapping]]] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class GetManifestRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ...) -> None: ...

class GetManifestResponse(_message.Message):
    __slots__ = ("manifest",)
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    manifest: _manifests_pb2.Manifest
    def __init__(self, manifest: _Optional[_Union[_manifests_pb2.Manifest, _Mapping]] = ...) -> None: ...

class ListGraphNodesRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "limit", "offset")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    limit: int
    offset: int
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class ListGraphNodesResponse(_message.Message):
    __slots__ = ("nodes", "count", "total")
    NODES_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.GraphNode]
    count: int
    total: int
    def __init__(self, nodes: _Optional[_Iterable[_Union[_manifests_pb2.GraphNode, _Mapping]]] = ..., count: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class ListGraphEdgesRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "limit", "offset")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    limit: int
    offset: int
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class ListGraphEdgesResponse(_message.Message):
    __slots__ = ("edges", "count", "total")
    EDGES_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    edges: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.GraphEdge]
    count: int
    total: int
    def __init__(self, edges: _Optional[_Iterable[_Union[_manifests_pb2.GraphEdge, _Mapping]]] = ..., count: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class GetHostDetailsRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "host_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    host_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., host_id: _Optional[str] = ...) -> None: ...

class GetHostDetailsResponse(_message.Message):
    __slots__ = ("host",)
    HOST_FIELD_NUMBER: _ClassVar[int]
    host: _manifests_pb2.HostDetails
    def __init__(self, host: _Optional[_Union[_manifests_pb2.HostDetails, _Mapping]] = ...) -> None: ...

class GetPrincipalDetailsRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "principal_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    principal_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., principal_id: _Optional[str] = ...) -> None: ...

class GetPrincipalDetailsResponse(_message.Message):
    __slots__ = ("principal",)
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    principal: _manifests_pb2.PrincipalDetails
    def __init__(self, principal: _Optional[_Union[_manifests_pb2.PrincipalDetails, _Mapping]] = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ("org", "workspace", "job_id", "resume_token")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    job_id: str
    resume_token: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., job_id: _Optional[str] = ..., resume_token: _Optional[str] = ...) -> None: ...

class WatchJobResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _jobs_pb2.JobEvent
    def __init__(self, event: _Optional[_Union[_jobs_pb2.JobEvent, _Mapping]] = ...) -> None: ...

class WatchJobsRequest(_message.Message):
    __slots__ = ("org", "workspace", "kind", "status", "project_id", "created_by", "resume_token")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    kind: _jobs_pb2.JobKind
    status: _jobs_pb2.JobStatus
    project_id: str
    created_by: str
    resume_token: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., kind: _Optional[_Union[_jobs_pb2.JobKind, str]] = ..., status: _Optional[_Union[_jobs_pb2.JobStatus, str]] = ..., project_id: _Optional[str] = ..., created_by: _Optional[str] = ..., resume_token: _Optional[str] = ...) -> None: ...

class WatchJobsResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _jobs_pb2.JobEvent
    def __init__(self, event: _Optional[_Union[_jobs_pb2.JobEvent, _Mapping]] = ...) -> None: ...
