"""Who may do what: roles, actions, the authenticated principal, API keys.

Keys are random, stored only as their SHA-256, shown once.

Visibility follows the contract: a caller who is not a member of a workspace
gets NOT_FOUND for it (its existence is not revealed); a member whose role does
not allow an action gets PERMISSION_DENIED.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

from worlds.core.errors import PermissionDenied

KEY_PREFIX = "wk_"


class Action(enum.Enum):
    READ = "read"
    CREATE_JOB = "create_job"
    CANCEL_JOB = "cancel_job"


class Role(enum.StrEnum):
    OWNER = "owner"
    CONTRIBUTOR = "contributor"
    READER = "reader"

    def allows(self, action: Action) -> bool:
        return action in _ALLOWED[self]


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.CONTRIBUTOR: frozenset(Action),
    Role.READER: frozenset({Action.READ}),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated user, through one of their API keys."""

    user_id: str
    email: str
    username: str
    full_name: str | None
    key_id: str


@dataclass(frozen=True)
class WorkspaceAccess:
    """A principal's standing in one workspace."""

    principal: Principal
    organization_id: str
    workspace_id: str
    role: Role

    def require(self, action: Action) -> None:
        if not self.role.allows(action):
            raise PermissionDenied(
                f"Your role ({self.role.value}) does not allow this action",
                metadata={"role": self.role.value, "action": action.value},
            )


def generate_key() -> str:
    """A new API key: 256 random bits, URL-safe."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The stored form of a key. A plain SHA-256 suffices: keys are long random secrets,
    not passwords, so there is nothing for a slow hash to protect against."""
    return hashlib.sha256(key.encode()).hexdigest()
