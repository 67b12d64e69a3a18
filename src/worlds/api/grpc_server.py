"""The grpc.aio server: WorldsService and PlatformService, plus standard health checking
and reflection (v1 and v1alpha, see `worlds.api.reflection`)."""

from __future__ import annotations

import errno
import socket
from collections.abc import Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from worlds.api.reflection import enable_reflection
from worlds.config import AddressInUse, split_address
from worlds.v1 import (
    platform_service_pb2,
    platform_service_pb2_grpc,
    worlds_service_pb2,
    worlds_service_pb2_grpc,
)

SERVICE_NAME = worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"].full_name
PLATFORM_SERVICE_NAME = (
    platform_service_pb2.DESCRIPTOR.services_by_name["PlatformService"].full_name)


class GrpcServer:
    """A started server and the port it is bound to."""

    def __init__(self, server: grpc.aio.Server, health_servicer: health.aio.HealthServicer,
                 port: int) -> None:
        self.server = server
        self.port = port
        self._health = health_servicer

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, refuse new calls, let in-flight calls finish within `grace` s."""
        await self._health.enter_graceful_shutdown()
        await self.server.stop(grace)


def _check_free(address: str) -> None:
    """Fail with one clear line when the address is taken, before grpc's C core logs its
    own multi-line error (E1201) for the same failure."""
    host, port = split_address(address)
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressInUse("gRPC", address, "--grpc-address") from None
            raise


async def start_grpc_server(servicer: worlds_service_pb2_grpc.WorldsServiceServicer,
                            address: str, *,
                            interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
                            platform: platform_service_pb2_grpc.PlatformServiceServicer | None
                            = None) -> GrpcServer:
    # gRPC sets SO_REUSEPORT by default: a second server on a busy port would then
    # start "successfully" and silently share the port. Fail loudly instead.
    _check_free(address)
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)], interceptors=list(interceptors))
    worlds_service_pb2_grpc.add_WorldsServiceServicer_to_server(servicer, server)
    names = [SERVICE_NAME]
    if platform is not None:
        platform_service_pb2_grpc.add_PlatformServiceServicer_to_server(platform, server)
        names.append(PLATFORM_SERVICE_NAME)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    enable_reflection(server, (*names, health.SERVICE_NAME))
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind the gRPC server to {address}")
    await server.start()
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return GrpcServer(server, health_servicer, port)
