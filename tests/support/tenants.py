"""A populated tenant for tests: one workspace with a member of every role, an
outsider who belongs to another workspace, and a revoked key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from worlds.core import access
from worlds.store import tenancy


@dataclass(frozen=True)
class Member:
    user_id: str
    key: str


@dataclass(frozen=True)
class Tenant:
    org: str
    workspace: str
    organization_id: str
    workspace_id: str
    default_project_id: str
    other_project_id: str
    owner: Member
    contributor: Member
    reader: Member
    # Owner of `other_workspace` (same org), not a member of `workspace`.
    outsider: Member
    other_workspace: str
    revoked_key: str


def _member(conn: Connection, name: str, ws_id: str | None, role: access.Role | None,
            now: datetime) -> Member:
    user_id = tenancy.create_user(conn, f"{name}@example.test", name, name.title(), now)
    if ws_id is not None and role is not None:
        tenancy.set_membership(conn, user_id, ws_id, role, now)
    key = access.generate_key()
    tenancy.create_api_key(conn, user_id, "test", access.hash_key(key), key[:8], now)
    return Member(user_id, key)


def create_tenant(conn: Connection, org: str = "acme", workspace: str = "red") -> Tenant:
    now = datetime.now(UTC)
    org_id = tenancy.create_organization(conn, org, org.title(), now)
    ws_id = tenancy.create_workspace(conn, org, workspace, workspace.title(), now)
    other_ws_id = tenancy.create_workspace(conn, org, "blue", "Blue", now)
    outsider = _member(conn, "olga", other_ws_id, access.Role.OWNER, now)
    revoked = _member(conn, "rita", ws_id, access.Role.OWNER, now)
    key_id = tenancy.authorize(conn, access.hash_key(revoked.key), org, workspace,
                               now).access.principal.key_id
    tenancy.revoke_api_key(conn, key_id, now)
    return Tenant(
        org=org,
        workspace=workspace,
        organization_id=org_id,
        workspace_id=ws_id,
        default_project_id=tenancy.default_project_id(conn, ws_id),
        other_project_id=tenancy.create_project(conn, ws_id, "other", now),
        owner=_member(conn, "owen", ws_id, access.Role.OWNER, now),
        contributor=_member(conn, "cora", ws_id, access.Role.CONTRIBUTOR, now),
        reader=_member(conn, "reed", ws_id, access.Role.READER, now),
        outsider=outsider,
        other_workspace="blue",
        revoked_key=revoked.key,
    )
