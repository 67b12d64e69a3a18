from google.protobuf import struct_pb2 as _struct_pb2
from worlds.v1 import manifests_pb2 as _manifests_pb2
from worlds.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Principal(_message.Message):
    __slots__ = ("principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid", "domain", "email", "department", "title", "tags")
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
    TAGS_FIELD_NUMBER: _ClassVar[int]
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
    tags: _struct_pb2.Struct
    def __init__(self, principal_id: _Optional[str] = ..., principal_type: _Optional[str] = ..., sam: _Optional[str] = ..., enabled: _Optional[bool] = ..., upn: _Optional[str] = ..., dn: _Optional[str] = ..., sid: _Optional[str] = ..., domain: _Optional[str] = ..., email: _Optional[str] = ..., department: _Optional[str] = ..., title: _Optional[str] = ..., tags: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Host(_message.Message):
    __slots__ = ("host_id", "hostname", "ip", "os_family", "os_version", "exposure_profile", "fqdn", "domain", "role", "subnet", "site", "tags")
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    OS_FAMILY_FIELD_NUMBER: _ClassVar[int]
    OS_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPOSURE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    FQDN_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SUBNET_FIELD_NUMBER: _ClassVar[int]
    SITE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    host_id: str
    hostname: str
    ip: str
    os_family: str
    os_version: str
    exposure_profile: str
    fqdn: str
    domain: str
    role: str
    subnet: str
    site: str
    tags: _struct_pb2.Struct
    def __init__(self, host_id: _Optional[str] = ..., hostname: _Optional[str] = ..., ip: _Optional[str] = ..., os_family: _Optional[str] = ..., os_version: _Optional[str] = ..., exposure_profile: _Optional[str] = ..., fqdn: _Optional[str] = ..., domain: _Optional[str] = ..., role: _Optional[str] = ..., subnet: _Optional[str] = ..., site: _Optional[str] = ..., tags: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class OverviewEdgeData(_message.Message):
    __slots__ = ("id", "source", "target", "edge_type", "severity", "count")
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    EDGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: str
    target: str
    edge_type: str
    severity: str
    count: int
    def __init__(self, id: _Optional[str] = ..., source: _Optional[str] = ..., target: _Optional[str] = ..., edge_type: _Optional[str] = ..., severity: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class OverviewEdge(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: OverviewEdgeData
    def __init__(self, data: _Optional[_Union[OverviewEdgeData, _Mapping]] = ...) -> None: ...

class GetPrincipalRequest(_message.Message):
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

class GetPrincipalResponse(_message.Message):
    __slots__ = ("principal",)
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    principal: Principal
    def __init__(self, principal: _Optional[_Union[Principal, _Mapping]] = ...) -> None: ...

class GetHostRequest(_message.Message):
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

class GetHostResponse(_message.Message):
    __slots__ = ("host",)
    HOST_FIELD_NUMBER: _ClassVar[int]
    host: Host
    def __init__(self, host: _Optional[_Union[Host, _Mapping]] = ...) -> None: ...

class SearchPrincipalsRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "query", "principal_type", "page", "page_size")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    query: str
    principal_type: str
    page: int
    page_size: int
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., query: _Optional[str] = ..., principal_type: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ...) -> None: ...

class SearchPrincipalsResponse(_message.Message):
    __slots__ = ("items", "page", "page_size", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Principal]
    page: int
    page_size: int
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[Principal, _Mapping]]] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class GetSubgraphRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "center", "depth")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    CENTER_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    center: str
    depth: int
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., center: _Optional[str] = ..., depth: _Optional[int] = ...) -> None: ...

class GetSubgraphResponse(_message.Message):
    __slots__ = ("center", "depth", "nodes", "edges", "truncated")
    CENTER_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    center: str
    depth: int
    nodes: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.GraphNode]
    edges: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.GraphEdge]
    truncated: bool
    def __init__(self, center: _Optional[str] = ..., depth: _Optional[int] = ..., nodes: _Optional[_Iterable[_Union[_manifests_pb2.GraphNode, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[_manifests_pb2.GraphEdge, _Mapping]]] = ..., truncated: _Optional[bool] = ...) -> None: ...

class GetGraphOverviewRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "max_nodes", "max_edges")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_NODES_FIELD_NUMBER: _ClassVar[int]
    MAX_EDGES_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    max_nodes: int
    max_edges: int
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., max_nodes: _Optional[int] = ..., max_edges: _Optional[int] = ...) -> None: ...

class GetGraphOverviewResponse(_message.Message):
    __slots__ = ("nodes", "edges", "count", "edge_count", "grouping")
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    EDGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROUPING_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[_manifests_pb2.GraphNode]
    edges: _containers.RepeatedCompositeFieldContainer[OverviewEdge]
    count: int
    edge_count: int
    grouping: str
    def __init__(self, nodes: _Optional[_Iterable[_Union[_manifests_pb2.GraphNode, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[OverviewEdge, _Mapping]]] = ..., count: _Optional[int] = ..., edge_count: _Optional[int] = ..., grouping: _Optional[str] = ...) -> None: ...
