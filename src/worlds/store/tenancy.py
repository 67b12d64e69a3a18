"""Organizations, workspaces, projects, users, memberships and API keys.

Functions take an open `Connection` (inside the caller's transaction) and a time
`now` where they stamp rows. Integrity errors are translated here, into the
service's own errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from worlds.core.access import Principal, Role, WorkspaceAccess
from worlds.core.errors import Conflict, FieldViolation, InvalidArgument, NotFound, Unauthenticated
from worlds.core.ids import new_id
from worlds.store.models import ApiKey, Membership, Organization, Project, User, Workspace, table_of

orgs = table_of(Organization)
workspaces = table_of(Workspace)
projects = table_of(Project)
users = table_of(User)
memberships = table_of(Membership)
api_keys = table_of(ApiKey)

DEFAULT_PROJECT_NAME = "default"
DEFAULT_PROJECT_KEY = "default"
# Recording a key's last use is a write; doing it on every call would turn every
# read into a write. Once a minute is precise enough to audit keys.
KEY_TOUCH_INTERVAL = timedelta(seconds=60)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def check_slug(field: str, slug: str) -> None:
    if not _SLUG.match(slug):
        raise InvalidArgument(
            [FieldViolation(field, "must be 1-63 lowercase letters, digits or hyphens", "slug")]
        )


def _insert(conn: Connection, table: Table, what: str, **values: Any) -> None:
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**values))
    except IntegrityError as exc:
        raise Conflict(f"{what} already exists", reason="ALREADY_EXISTS") from exc


def create_organization(conn: Connection, slug: str, name: str, now: datetime) -> str:
    check_slug("slug", slug)
    org_id = new_id()
    _insert(conn, orgs, f"Organization '{slug}'", id=org_id, slug=slug, name=name, created_at=now,
            updated_at=now)
    return org_id


def create_workspace(conn: Connection, org_slug: str, slug: str, name: str, now: datetime,
                     description: str | None = None) -> str:
    """Create a workspace and its default project (key `default`); returns the workspace id.

    The organization's first workspace is its default one (`is_default`, platform.md: **ours**).
    """
    check_slug("slug", slug)
    org_id = conn.execute(select(orgs.c.id).where(orgs.c.slug == org_slug)).scalar()
    if org_id is None:
        raise NotFound(f"Organization '{org_slug}' not found")
    first = conn.execute(select(workspaces.c.id).where(
        workspaces.c.organization_id == org_id).limit(1)).first() is None
    ws_id = new_id()
    _insert(conn, workspaces, f"Workspace '{org_slug}/{slug}'",
            id=ws_id, organization_id=org_id, slug=slug, name=name, created_at=now,
            updated_at=now, is_default=first, description=description)
    conn.execute(projects.insert().values(
        id=new_id(), workspace_id=ws_id, name=DEFAULT_PROJECT_NAME, key=DEFAULT_PROJECT_KEY,
        is_default=True, created_at=now, updated_at=now))
    return ws_id


def project_key(name: str) -> str:
    """The slug a project named `name` gets as its key: lowercase letters, digits, hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return slug or "project"


def create_project(conn: Connection, workspace_id: str, name: str, now: datetime,
                   key: str | None = None, description: str | None = None) -> str:
    """Create a project; its key defaults to `project_key(name)` (Conflict when taken)."""
    key = key if key is not None else project_key(name)
    check_slug("key", key)
    project_id = new_id()
    _insert(conn, projects, f"Project '{name}' (key '{key}')",
            id=project_id, workspace_id=workspace_id, name=name, key=key, is_default=False,
            description=description, created_at=now, updated_at=now)
    return project_id


def create_user(conn: Connection, email: str, username: str, full_name: str | None,
                now: datetime) -> str:
    user_id = new_id()
    _insert(conn, users, f"User '{username}' or '{email}'",
            id=user_id, email=email, username=username, full_name=full_name, created_at=now)
    return user_id


def user_id_by_name(conn: Connection, username_or_email: str) -> str:
    user_id: str | None = conn.execute(select(users.c.id).where(
        (users.c.username == username_or_email) | (users.c.email == username_or_email))).scalar()
    if user_id is None:
        raise NotFound(f"User '{username_or_email}' not found")
    return user_id


def workspace_id_by_slugs(conn: Connection, org_slug: str, ws_slug: str) -> str:
    ws_id: str | None = conn.execute(
        select(workspaces.c.id).join(orgs, orgs.c.id == workspaces.c.organization_id)
        .where(orgs.c.slug == org_slug, workspaces.c.slug == ws_slug)).scalar()
    if ws_id is None:
        raise NotFound(f"Workspace '{org_slug}/{ws_slug}' not found")
    return ws_id


def set_membership(conn: Connection, user_id: str, workspace_id: str, role: Role,
                   now: datetime) -> None:
    """Grant `role` in the workspace, replacing any role the user had there."""
    conn.execute(memberships.delete().where(
        memberships.c.user_id == user_id, memberships.c.workspace_id == workspace_id))
    conn.execute(memberships.insert().values(
        user_id=user_id, workspace_id=workspace_id, role=role.value, created_at=now))


def create_api_key(conn: Connection, user_id: str, name: str, key_hash: str, prefix: str,
                   now: datetime) -> str:
    key_id = new_id()
    _insert(conn, api_keys, "An API key with this value",
            id=key_id, user_id=user_id, name=name, key_hash=key_hash, prefix=prefix, created_at=now)
    return key_id


def revoke_api_key(conn: Connection, key_id: str, now: datetime) -> None:
    done = conn.execute(update(api_keys).where(api_keys.c.id == key_id)
                        .values(revoked_at=now)).rowcount
    if not done:
        raise NotFound(f"API key '{key_id}' not found")


def list_api_keys(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(
        select(api_keys.c.id, api_keys.c.name, api_keys.c.prefix, users.c.username,
               api_keys.c.created_at, api_keys.c.revoked_at, api_keys.c.last_used_at)
        .join(users, users.c.id == api_keys.c.user_id).order_by(api_keys.c.created_at)))


# The per-call statements are built once: constructing a statement costs more
# than executing its cached compiled form.
_AUTHORIZE = (
    select(api_keys.c.id, api_keys.c.revoked_at, api_keys.c.last_used_at, users.c.id.label("uid"),
           users.c.email, users.c.username, users.c.full_name,
           workspaces.c.id.label("ws_id"), workspaces.c.organization_id, memberships.c.role,
           projects.c.id.label("default_project_id"))
    .select_from(
        api_keys.join(users, users.c.id == api_keys.c.user_id)
        # The caller's membership in the named workspace, if any: a key without
        # one still yields its row, so 401 and 404 can be told apart.
        .outerjoin(
            memberships.join(workspaces, and_(workspaces.c.id == memberships.c.workspace_id,
                                              workspaces.c.slug == bindparam("ws")))
            .join(orgs, and_(orgs.c.id == workspaces.c.organization_id,
                             orgs.c.slug == bindparam("org"))),
            memberships.c.user_id == users.c.id)
        .outerjoin(projects, and_(projects.c.workspace_id == workspaces.c.id, projects.c.is_default)))
    .where(api_keys.c.key_hash == bindparam("key_hash"))
)
_DEFAULT_PROJECT = select(projects.c.id).where(
    projects.c.workspace_id == bindparam("ws_id"), projects.c.is_default)
_PROJECT_EXISTS = select(projects.c.id).where(
    projects.c.workspace_id == bindparam("ws_id"), projects.c.id == bindparam("project_id"))
_TOUCH_KEY = update(api_keys).where(api_keys.c.id == bindparam("key_id")).values(
    last_used_at=bindparam("now"))


_AUTHENTICATE = (
    select(api_keys.c.id, api_keys.c.revoked_at, api_keys.c.last_used_at, users.c.id.label("uid"),
           users.c.email, users.c.username, users.c.full_name)
    .join(users, users.c.id == api_keys.c.user_id)
    .where(api_keys.c.key_hash == bindparam("key_hash"))
)


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    # True when the key's last use is stale enough to be recorded again.
    needs_touch: bool


def authenticate(conn: Connection, key_hash: str, now: datetime) -> Authenticated:
    """The caller behind `key_hash`, for the reads that name no workspace (platform.md);
    Unauthenticated for an unknown or revoked key."""
    row = conn.execute(_AUTHENTICATE, {"key_hash": key_hash}).first()
    if row is None:
        raise Unauthenticated("Invalid API key", reason="INVALID_API_KEY")
    if row.revoked_at is not None:
        raise Unauthenticated("This API key has been revoked", reason="API_KEY_REVOKED")
    principal = Principal(user_id=row.uid, email=row.email, username=row.username,
                          full_name=row.full_name, key_id=row.id)
    stale = row.last_used_at is None or now - row.last_used_at >= KEY_TOUCH_INTERVAL
    return Authenticated(principal, stale)


@dataclass(frozen=True)
class Authorized:
    access: WorkspaceAccess
    default_project_id: str
    # True when the key's last use is stale enough to be recorded again.
    needs_touch: bool


def authorize(conn: Connection, key_hash: str, org_slug: str, ws_slug: str,
              now: datetime) -> Authorized:
    """The caller behind `key_hash` and its role in org/workspace, in one query: the hot path
    of every call. Unauthenticated for an unknown or revoked key; NotFound when the workspace
    does not exist *or* the caller is not a member (the contract does not reveal which)."""
    row = conn.execute(_AUTHORIZE, {"key_hash": key_hash, "org": org_slug, "ws": ws_slug}).first()
    if row is None:
        raise Unauthenticated("Invalid API key", reason="INVALID_API_KEY")
    if row.revoked_at is not None:
        raise Unauthenticated("This API key has been revoked", reason="API_KEY_REVOKED")
    if row.ws_id is None:
        raise NotFound(f"Workspace '{org_slug}/{ws_slug}' not found",
                       metadata={"org": org_slug, "workspace": ws_slug})
    principal = Principal(user_id=row.uid, email=row.email, username=row.username,
                          full_name=row.full_name, key_id=row.id)
    access = WorkspaceAccess(principal=principal, organization_id=row.organization_id,
                             workspace_id=row.ws_id, role=Role(row.role))
    stale = row.last_used_at is None or now - row.last_used_at >= KEY_TOUCH_INTERVAL
    return Authorized(access, row.default_project_id, stale)


def touch_api_key(conn: Connection, key_id: str, now: datetime) -> None:
    conn.execute(_TOUCH_KEY, {"key_id": key_id, "now": now})


def default_project_id(conn: Connection, workspace_id: str) -> str:
    project_id: str = conn.execute(_DEFAULT_PROJECT, {"ws_id": workspace_id}).scalar_one()
    return project_id


def project_exists(conn: Connection, workspace_id: str, project_id: str) -> bool:
    return conn.execute(_PROJECT_EXISTS,
                        {"ws_id": workspace_id, "project_id": project_id}).first() is not None


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(orgs.c.id).limit(1)).first() is None


# --- the platform scope reads (platform.md) ---------------------------------------------------
# A user sees an organization, and its workspaces, only through memberships: anything else
# reads as missing, so that existence is never revealed (worlds-api.md, "Authentication").

_VISIBLE_ORG = (
    select(orgs)
    .where(orgs.c.slug == bindparam("org"),
           select(memberships.c.user_id)
           .join(workspaces, workspaces.c.id == memberships.c.workspace_id)
           .where(workspaces.c.organization_id == orgs.c.id,
                  memberships.c.user_id == bindparam("user_id"))
           .exists())
)
_PROJECT_COUNT = (
    select(func.count()).select_from(projects)
    .where(projects.c.workspace_id == workspaces.c.id).scalar_subquery()
)
_MY_WORKSPACES = (
    select(workspaces, orgs.c.name.label("org_name"), _PROJECT_COUNT.label("project_count"))
    .join(orgs, orgs.c.id == workspaces.c.organization_id)
    .join(memberships, and_(memberships.c.workspace_id == workspaces.c.id,
                            memberships.c.user_id == bindparam("user_id")))
    .where(orgs.c.slug == bindparam("org"))
)


def user_record(conn: Connection, user_id: str) -> Row[Any]:
    """The user row (id, email, username, full_name, created_at)."""
    return conn.execute(select(users).where(users.c.id == user_id)).one()


def visible_organization(conn: Connection, user_id: str, org_slug: str) -> Row[Any]:
    """The organization, when the user belongs to one of its workspaces; else NotFound."""
    row = conn.execute(_VISIBLE_ORG, {"org": org_slug, "user_id": user_id}).first()
    if row is None:
        raise NotFound(f"Organization '{org_slug}' not found", metadata={"org": org_slug})
    return row


@dataclass(frozen=True)
class WorkspacePage:
    rows: list[Row[Any]]
    total: int


def list_visible_workspaces(conn: Connection, user_id: str, org_slug: str, offset: int,
                            limit: int) -> WorkspacePage:
    """The user's workspaces in the organization, the default first, then oldest first, with
    `org_name` and `project_count`; NotFound when the organization is not visible."""
    visible_organization(conn, user_id, org_slug)
    params = {"org": org_slug, "user_id": user_id}
    rows = list(conn.execute(
        _MY_WORKSPACES.order_by(workspaces.c.is_default.desc(), workspaces.c.created_at,
                                workspaces.c.id)
        .offset(offset).limit(limit), params))
    total = conn.execute(select(func.count()).select_from(_MY_WORKSPACES.subquery()),
                         params).scalar_one()
    return WorkspacePage(rows, int(total))


def visible_workspace(conn: Connection, user_id: str, org_slug: str, ws_slug: str) -> Row[Any]:
    """One of the user's workspaces (as `list_visible_workspaces` rows); else NotFound."""
    row = conn.execute(_MY_WORKSPACES.where(workspaces.c.slug == bindparam("ws")),
                       {"org": org_slug, "user_id": user_id, "ws": ws_slug}).first()
    if row is None:
        raise NotFound(f"Workspace '{org_slug}/{ws_slug}' not found",
                       metadata={"org": org_slug, "workspace": ws_slug})
    return row


def list_projects(conn: Connection, workspace_id: str) -> list[Row[Any]]:
    """The workspace's projects: the default one first, then by creation."""
    return list(conn.execute(
        select(projects).where(projects.c.workspace_id == workspace_id)
        .order_by(projects.c.is_default.desc(), projects.c.created_at, projects.c.id)))


def project_by_key(conn: Connection, workspace_id: str, key: str) -> Row[Any]:
    row = conn.execute(select(projects).where(projects.c.workspace_id == workspace_id,
                                              projects.c.key == key)).first()
    if row is None:
        raise NotFound(f"Project '{key}' not found", metadata={"project": key})
    return row


def ping(conn: Connection) -> None:
    """A query every engine answers: the readiness probe's check that the database serves."""
    conn.execute(select(1)).scalar_one()
