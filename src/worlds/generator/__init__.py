"""Pure, deterministic generator of synthetic Active Directory worlds.

    spec = resolve_spec(preset, num_users, num_hosts, domains, seed, security_level="typical")
    world = generate_world(spec, on_phase=lambda phase, fraction: ...)
    blob, digest = world.canonical_bytes(), world.sha256()

`generate_world` does no I/O, reads no clock and touches no global random state:
every draw comes from a `random.Random` seeded with sha256(seed, sub-stream name),
and every collection it walks has a defined order. Equal specs therefore give
byte-identical `canonical_bytes()` in any process, whatever PYTHONHASHSEED.

Presets (counts can be overridden per request, 1..50,000 users, 1..10,000 hosts):

    preset       users   hosts  default domains
    small           50      20  corp.local
    medium       1,000     250  corp.local
    large       10,000   2,000  corp.local, emea.corp.local
    enterprise  50,000  10,000  corp.local, emea.corp.local, apac.corp.local

Counts are exact: `num_users` user principals (built-in accounts included) and
`num_hosts` hosts (DCs included). The first domain is the forest root; the others
trust it both ways. Edges grow linearly, about 5 per principal.

Security levels (`hardened`, `typical` by default, `vulnerable`; see
`security.py`) set misconfiguration rates and which attack routes exist; the
level is part of the spec, so it changes the canonical bytes. `stats["exposure"]`
measures the result (`exposure.py`): the share of enabled non-tier-0 users with a
path to Domain Admins, path lengths, first hops, tier-0 size, edges per type.

Ids are short and world-scoped: domains `d<i>`, then per domain `d<i>-ou<nnn>`,
`-gpo<nn>`, `-g<nnnn>` (groups), `-u<nnnnn>` (users), `-c<nnnnn>` (computers, also
the host id and computer principal id), `-ca<n>` (Enterprise CAs); in the forest
root `d0-ct<nn>` (certificate templates) and `d0-ntauth`; edges `e<nnnnnnn>`.

Node types: domain, ou, gpo, group, user, computer, EnterpriseCA, CertTemplate,
NTAuthStore. Edge types: `edges.EDGE_TYPES` (BloodHound CE names).

Every world holds a planted attack path from an enabled ordinary user to Domain
Admins in each domain that has users (see `paths.py`), listed in
`World.attack_paths`; the one-user world included.
"""

from worlds.generator.pipeline import PHASES, generate_world
from worlds.generator.spec import PRESETS, PresetSize, WorldSpec, resolve_spec
from worlds.generator.world import World

__all__ = [
    "PHASES",
    "PRESETS",
    "PresetSize",
    "World",
    "WorldSpec",
    "generate_world",
    "resolve_spec",
]
