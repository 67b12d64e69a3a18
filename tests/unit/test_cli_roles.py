"""The CLI spells out the roles (so that its parser stays light); they must stay in step."""

from worlds.cli import ROLES
from worlds.core.access import Role


def test_the_cli_roles_are_the_access_roles() -> None:
    assert set(ROLES) == {role.value for role in Role}
