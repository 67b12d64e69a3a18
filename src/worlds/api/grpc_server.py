"""The grpc.aio server: WorldsService plus standard health checking and reflection."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from worlds.v1 import worlds_service_pb2, worlds_service_pb2_grpc

SERVICE_NAME = worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"].full_name


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


async def start_grpc_server(servicer: worlds_service_pb2_grpc.WorldsServiceServicer,
                            address: str, *,
                            interceptors: Sequence[grpc.aio.ServerInterceptor] = ()) -> GrpcServer:
    # gRPC sets SO_REUSEPORT by default: a second server on a busy port would then
    # start "successfully" and silently share the port. Fail loudly instead.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)], interceptors=list(interceptors))
    worlds_service_pb2_grpc.add_WorldsServiceServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind the gRPC server to {address}")
    await server.start()
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return GrpcServer(server, health_servicer, port)
