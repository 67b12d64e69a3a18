import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from worlds.v1 import jobs_pb2 as _jobs_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ManifestKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MANIFEST_KIND_UNSPECIFIED: _ClassVar[ManifestKind]
    MANIFEST_KIND_ACTIVE_DIRECTORY: _ClassVar[ManifestKind]
MANIFEST_KIND_UNSPECIFIED: ManifestKind
MANIFEST_KIND_ACTIVE_DIRECTORY: ManifestKind

class ManifestStats(_message.Message):
    __slots__ = ("network_id", "total_hosts", "total_principals", "total_edges", "domains", "security_level", "exposure")
    NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_HOSTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EDGES_FIELD_NUMBER: _ClassVar[int]
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    EXPOSURE_FIELD_NUMBER: _ClassVar[int]
    network_id: str
    total_hosts: int
    total_principals: int
    total_edges: int
    domains: _containers.RepeatedScalarFieldContainer[str]
    security_level: _jobs_pb2.SecurityLevel
    exposure: Exposure
    def __init__(self, network_id: _Optional[str] = ..., total_hosts: _Optional[int] = ..., total_principals: _Optional[int] = ..., total_edges: _Optional[int] = ..., domains: _Optional[_Iterable[str]] = ..., security_level: _Optional[_Union[_jobs_pb2.SecurityLevel, str]] = ..., exposure: _Optional[_Union[Exposure, _Mapping]] = ...) -> None: ...

class Exposure(_message.Message):
    __slots__ = ("share", "users_considered", "users_with_path", "median_path_length", "distinct_first_hops", "tier0_size", "edge_counts", "roastable")
    class EdgeCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    SHARE_FIELD_NUMBER: _ClassVar[int]
    USERS_CONSIDERED_FIELD_NUMBER: _ClassVar[int]
    USERS_WITH_PATH_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_PATH_LENGTH_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_FIRST_HOPS_FIELD_NUMBER: _ClassVar[int]
    TIER0_SIZE_FIELD_NUMBER: _ClassVar[int]
    EDGE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    ROASTABLE_FIELD_NUMBER: _ClassVar[int]
    share: float
    users_considered: int
    users_with_path: int
    median_path_length: float
    distinct_first_hops: int
    tier0_size: int
    edge_counts: _containers.ScalarMap[str, int]
    roastable: Roastable
    def __init__(self, share: _Optional[float] = ..., users_considered: _Optional[int] = ..., users_with_path: _Optional[int] = ..., median_path_length: _Optional[float] = ..., distinct_first_hops: _Optional[int] = ..., tier0_size: _Optional[int] = ..., edge_counts: _Optional[_Mapping[str, int]] = ..., roastable: _Optional[_Union[Roastable, _Mapping]] = ...) -> None: ...

class Roastable(_message.Message):
    __slots__ = ("kerberoastable", "asrep_roastable", "crackable")
    KERBEROASTABLE_FIELD_NUMBER: _ClassVar[int]
    ASREP_ROASTABLE_FIELD_NUMBER: _ClassVar[int]
    CRACKABLE_FIELD_NUMBER: _ClassVar[int]
    kerberoastable: int
    asrep_roastable: int
    crackable: int
    def __init__(self, kerberoastable: _Optional[int] = ..., asrep_roastable: _Optional[int] = ..., crackable: _Optional[int] = ...) -> None: ...

class Manifest(_message.Message):
    __slots__ = ("id", "organization_id", "workspace_id", "created_by", "project_id", "source_job_id", "name", "manifest_kind", "preset", "seed", "stats", "artifact_refs", "created_at", "created_by_user", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_KIND_FIELD_NUMBER: _ClassVar[int]
    PRESET_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_REFS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    workspace_id: str
    created_by: str
    project_id: str
    source_job_id: str
    name: str
    manifest_kind: ManifestKind
    preset: _jobs_pb2.Preset
    seed: int
    stats: ManifestStats
    artifact_refs: _struct_pb2.Struct
    created_at: _timestamp_pb2.Timestamp
    created_by_user: _jobs_pb2.User
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., workspace_id: _Optional[str] = ..., created_by: _Optional[str] = ..., project_id: _Optional[str] = ..., source_job_id: _Optional[str] = ..., name: _Optional[str] = ..., manifest_kind: _Optional[_Union[ManifestKind, str]] = ..., preset: _Optional[_Union[_jobs_pb2.Preset, str]] = ..., seed: _Optional[int] = ..., stats: _Optional[_Union[ManifestStats, _Mapping]] = ..., artifact_refs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by_user: _Optional[_Union[_jobs_pb2.User, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GraphNodeData(_message.Message):
    __slots__ = ("id", "label", "node_type", "properties")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    node_type: str
    properties: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., node_type: _Optional[str] = ..., properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GraphNode(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: GraphNodeData
    def __init__(self, data: _Optional[_Union[GraphNodeData, _Mapping]] = ...) -> None: ...

class GraphEdgeData(_message.Message):
    __slots__ = ("id", "source", "target", "edge_type", "severity")
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    EDGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: str
    target: str
    edge_type: str
    severity: str
    def __init__(self, id: _Optional[str] = ..., source: _Optional[str] = ..., target: _Optional[str] = ..., edge_type: _Optional[str] = ..., severity: _Optional[str] = ...) -> None: ...

class GraphEdge(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: GraphEdgeData
    def __init__(self, data: _Optional[_Union[GraphEdgeData, _Mapping]] = ...) -> None: ...

class EdgeRef(_message.Message):
    __slots__ = ("edge_id", "edge_type", "severity", "source", "target")
    EDGE_ID_FIELD_NUMBER: _ClassVar[int]
    EDGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    edge_id: str
    edge_type: str
    severity: str
    source: str
    target: str
    def __init__(self, edge_id: _Optional[str] = ..., edge_type: _Optional[str] = ..., severity: _Optional[str] = ..., source: _Optional[str] = ..., target: _Optional[str] = ...) -> None: ...

class HostService(_message.Message):
    __slots__ = ("service_id", "name", "port", "proto", "product", "version", "state", "auth", "banner_ref")
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    PROTO_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    BANNER_REF_FIELD_NUMBER: _ClassVar[int]
    service_id: str
    name: str
    port: int
    proto: str
    product: str
    version: str
    state: str
    auth: str
    banner_ref: str
    def __init__(self, service_id: _Optional[str] = ..., name: _Optional[str] = ..., port: _Optional[int] = ..., proto: _Optional[str] = ..., product: _Optional[str] = ..., version: _Optional[str] = ..., state: _Optional[str] = ..., auth: _Optional[str] = ..., banner_ref: _Optional[str] = ...) -> None: ...

class HostDetails(_message.Message):
    __slots__ = ("host_id", "hostname", "fqdn", "domain", "ip", "os_family", "os_version", "role", "subnet", "site", "exposure_profile", "services", "artifacts", "inbound_edges", "outbound_edges", "tags")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    FQDN_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    OS_FAMILY_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SUBNET_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    EXPOSURE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_EDGES_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_EDGES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    hostname: str
    fqdn: str
    domain: str
    ip: str
    os_family: str
    os_version: str
    role: str
    subnet: str
    site: str
    exposure_profile: str
    services: _containers.RepeatedCompositeFieldContainer[HostService]
    artifacts: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    inbound_edges: _containers.RepeatedCompositeFieldContainer[EdgeRef]
    outbound_edges: _containers.RepeatedCompositeFieldContainer[EdgeRef]
    tags: _struct_pb2.Struct
    def __init__(self, host_id: _Optional[str] = ..., hostname: _Optional[str] = ..., fqdn: _Optional[str] = ..., domain: _Optional[str] = ..., ip: _Optional[str] = ..., os_family: _Optional[str] = ..., os_version: _Optional[str] = ..., role: _Optional[str] = ..., subnet: _Optional[str] = ..., site: _Optional[str] = ..., exposure_profile: _Optional[str] = ..., services: _Optional[_Iterable[_Union[HostService, _Mapping]]] = ..., artifacts: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., inbound_edges: _Optional[_Iterable[_Union[EdgeRef, _Mapping]]] = ..., outbound_edges: _Optional[_Iterable[_Union[EdgeRef, _Mapping]]] = ..., tags: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PrincipalDetails(_message.Message):
    __slots__ = ("principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid", "domain", "email", "department", "title", "membership_ids", "credentials", "inbound_edges", "outbound_edges", "tags", "credential_ids")
    PRINCIPAL_ID_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    SAM_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    UPN_FIELD_NUMBER: _ClassVar[int]
    DN_FIELD_NUMBER: _ClassVar[int]
    SID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_IDS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_EDGES_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_EDGES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_IDS_FIELD_NUMBER: _ClassVar[int]
    principal_id: str
    principal_type: str
    sam: str
    enabled: bool
    upn: str
    dn: str
    sid: str
    domain: str
    email: str
    department: str
    title: str
    membership_ids: _containers.RepeatedScalarFieldContainer[str]
    credentials: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    inbound_edges: _containers.RepeatedCompositeFieldContainer[EdgeRef]
    outbound_edges: _containers.RepeatedCompositeFieldContainer[EdgeRef]
    tags: _struct_pb2.Struct
    credential_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, principal_id: _Optional[str] = ..., principal_type: _Optional[str] = ..., sam: _Optional[str] = ..., enabled: _Optional[bool] = ..., upn: _Optional[str] = ..., dn: _Optional[str] = ..., sid: _Optional[str] = ..., domain: _Optional[str] = ..., email: _Optional[str] = ..., department: _Optional[str] = ..., title: _Optional[str] = ..., membership_ids: _Optional[_Iterable[str]] = ..., credentials: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., inbound_edges: _Optional[_Iterable[_Union[EdgeRef, _Mapping]]] = ..., outbound_edges: _Optional[_Iterable[_Union[EdgeRef, _Mapping]]] = ..., tags: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., credential_ids: _Optional[_Iterable[str]] = ...) -> None: ...
