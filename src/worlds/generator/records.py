"""Shapes of the records a world is made of, as TypedDicts.

Static types only: at run time every record is a plain dict, so typing changes
nothing in the canonical bytes. Node `properties` and principal `tags` hold
facts that differ by kind of object and are written by key (`set_fact`), hence
plain string-keyed dicts; their keys are listed where they are made
(`directory._add_user`, `hosts._HostBuilder._add`, `adcs.py`, `domains.py`).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class NodeRecord(TypedDict):
    id: str
    label: str
    node_type: str
    properties: dict[str, Any]


class EdgeRecord(TypedDict):
    id: str
    source: str
    target: str
    edge_type: str
    severity: str


class PasswordHash(TypedDict):
    type: Literal["password_hash"]
    algorithm: str
    ref: str
    # Whether the password falls to a dictionary attack (roasting, spraying).
    crackable: bool


class KerberosKey(TypedDict):
    type: Literal["kerberos_key"]
    algorithm: str
    ref: str


class AccountFlag(TypedDict):
    type: Literal["flag"]
    name: str


class ServicePrincipalName(TypedDict):
    type: Literal["spn"]
    value: str


Credential = PasswordHash | KerberosKey | AccountFlag | ServicePrincipalName


class PrincipalRecord(TypedDict):
    principal_id: str
    principal_type: str
    sam: str
    enabled: bool
    upn: str | None
    dn: str
    sid: str
    domain: str
    email: str | None
    department: str | None
    title: str | None
    membership_ids: list[str]
    credentials: list[Credential]
    # Users: hasspn, dontreqpreauth, password_crackable, gmsa, stale,
    # last_logon_days, sid_history. Computers: their host's tags. Groups: none.
    tags: dict[str, object]


class ServiceRecord(TypedDict):
    service_id: str
    name: str
    port: int
    proto: str
    product: str
    version: str
    state: str
    auth: str
    banner_ref: str


class ArtifactRecord(TypedDict):
    artifact_id: str
    kind: str
    path: str
    description: str
    principal_id: str | None
    credential_ref: str | None


class HostTags(TypedDict):
    laps: bool
    # Shared by the hosts with the same local administrator password; None with LAPS.
    local_admin_password_id: str | None
    unconstrained_delegation: bool
    mssql_instance: str | None


class HostRecord(TypedDict):
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
    services: list[ServiceRecord]
    artifacts: list[ArtifactRecord]
    tags: HostTags
