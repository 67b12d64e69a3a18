"""Platform rows (users, organizations, workspaces, projects) to protobuf messages.

The sandbox runtime fields of an organization are fixed values: this server runs no
sandboxes, but clients of the contract read them (platform.md, **ours**).
"""

from __future__ import annotations

from typing import Any

from worlds.convert.jobs import timestamp
from worlds.v1 import platform_service_pb2 as pb

SANDBOX_RUNTIME_SECONDS = 3600
"""The maximum and default sandbox runtime every organization reports."""
SANDBOX_SOURCE_LEVEL = "platform"
"""The level those limits are set at: the platform's, never an organization's own."""


def user_to_proto(row: Any) -> pb.PlatformUser:
    """A user row; `first_name`/`last_name` split `full_name` at its first space."""
    user = pb.PlatformUser(id=row.id, email_address=row.email, username=row.username,
                           created_at=timestamp(row.created_at))
    if row.full_name:
        user.full_name = row.full_name
        first, _, last = row.full_name.strip().partition(" ")
        user.first_name = first
        if last.strip():
            user.last_name = last.strip()
    return user


def organization_to_proto(row: Any) -> pb.Organization:
    return pb.Organization(
        id=row.id, name=row.name, key=row.slug,
        created_at=timestamp(row.created_at), updated_at=timestamp(row.updated_at),
        effective_max_sandbox_runtime_seconds=SANDBOX_RUNTIME_SECONDS,
        max_sandbox_runtime_source_level=SANDBOX_SOURCE_LEVEL,
        effective_default_sandbox_runtime_seconds=SANDBOX_RUNTIME_SECONDS,
        default_sandbox_runtime_source_level=SANDBOX_SOURCE_LEVEL,
        platform_max_sandbox_runtime_seconds=SANDBOX_RUNTIME_SECONDS,
        platform_default_sandbox_runtime_seconds=SANDBOX_RUNTIME_SECONDS,
    )


def workspace_to_proto(row: Any) -> pb.Workspace:
    """A `worlds.store.tenancy.visible_workspace` row (with `org_name`, `project_count`)."""
    workspace = pb.Workspace(
        id=row.id, name=row.name, key=row.slug, org_id=row.organization_id,
        created_at=timestamp(row.created_at), updated_at=timestamp(row.updated_at),
        is_default=bool(row.is_default), is_active=True, org_name=row.org_name,
        project_count=int(row.project_count))
    if row.description is not None:
        workspace.description = row.description
    return workspace


def project_to_proto(row: Any) -> pb.Project:
    project = pb.Project(
        id=row.id, key=row.key, name=row.name, is_default=bool(row.is_default),
        workspace_id=row.workspace_id, created_at=timestamp(row.created_at),
        updated_at=timestamp(row.updated_at))
    if row.description is not None:
        project.description = row.description
    return project
