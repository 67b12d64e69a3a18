"""The web console: a static front end under ``/ui/`` and a thin server part mounted on the gateway.

The console is a *client* of the REST API. Its server part holds no store and no servicer: it
serves the static files, keeps the signed-in API key in an ``HttpOnly`` cookie scoped to
``/ui/`` (:mod:`.session`), and forwards ``/ui/api/…`` to the gateway's own ``/api/…`` routes
in-process, adding ``X-API-Key`` from that cookie (:mod:`.forward`). So it works unchanged in
front of a remote gRPC server (``worlds gateway``) and sees exactly the envelopes any client sees.

Only routes are added, after the API's: a request that does not start with ``/ui`` (or is ``/``)
never reaches console code.
"""

from .mount import mount_console

__all__ = ["mount_console"]
