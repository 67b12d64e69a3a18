"""Trajectory rows, stored replays and catalog items to protobuf messages.

Steps are built field by field (a replay holds up to 1,000 of them; `ParseDict` is
several times slower); their free-form parts (`targets`, states, `details`) are
Structs.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from worlds.convert.jobs import enum_value, timestamp
from worlds.v1 import jobs_pb2, trajectories_pb2

SOURCE_FORMAT = "worlds"


def _struct(value: dict[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    if value:
        struct.update(value)
    return struct


def strategy_value(name: str) -> trajectories_pb2.TrajectoryStrategy:
    return enum_value(trajectories_pb2.TrajectoryStrategy, "TRAJECTORY_STRATEGY_", name)


def mode_value(name: str) -> trajectories_pb2.TrajectoryMode:
    return enum_value(trajectories_pb2.TrajectoryMode, "TRAJECTORY_MODE_", name)


def _reason_value(name: str) -> trajectories_pb2.TerminationReason:
    try:
        return enum_value(trajectories_pb2.TerminationReason, "TERMINATION_REASON_", name)
    except ValueError:  # a reason this build does not know: unspecified (null in JSON)
        return trajectories_pb2.TERMINATION_REASON_UNSPECIFIED


def trajectory_to_proto(record: Any) -> trajectories_pb2.Trajectory:
    """A trajectory row joined with its creator's user fields."""
    row = record._mapping
    message = trajectories_pb2.Trajectory(
        id=row["id"], organization_id=row["organization_id"], workspace_id=row["workspace_id"],
        manifest_id=row["manifest_id"], source_job_id=row["source_job_id"], goal=row["goal"],
        strategy=strategy_value(row["strategy"]), mode=mode_value(row["mode"]),
        max_steps=row["max_steps"], seed=row["seed"], sequence_index=row["sequence_index"],
        success=bool(row["success"]), step_count=row["step_count"],
        termination_reason=_reason_value(row["termination_reason"]),
        summary=_struct(row["summary"]), artifact_refs=_struct(row["artifact_refs"]),
        created_at=timestamp(row["created_at"]), updated_at=timestamp(row["updated_at"]),
    )
    for name in ("project_id", "name"):
        if row[name] is not None:
            setattr(message, name, row[name])
    if row["created_by"] is not None:
        message.created_by = row["created_by"]
        if row.get("user_username") is not None:
            message.created_by_user.CopyFrom(jobs_pb2.User(
                id=row["created_by"], email=row["user_email"], username=row["user_username"]))
            if row.get("user_full_name") is not None:
                message.created_by_user.full_name = row["user_full_name"]
    return message


def step_to_proto(step: dict[str, Any]) -> trajectories_pb2.TrajectoryStep:
    technique = step.get("technique") or {}
    message = trajectories_pb2.TrajectoryStep(
        index=step.get("index", 0), title=step.get("title", ""),
        source=step.get("source", "sampler"), command_name=step.get("command_name", ""),
        command=step.get("command", ""),
        technique=trajectories_pb2.Technique(
            tactic=technique.get("tactic", ""), technique_id=technique.get("technique_id", ""),
            name=technique.get("name", "")),
        target_summary=step.get("target_summary", ""), targets=_struct(step.get("targets")),
        exit_code=step.get("exit_code", 0), failed=bool(step.get("failed")),
        stdout=step.get("stdout", ""), stderr=step.get("stderr", ""),
        state_before=_struct(step.get("state_before")),
        state_after=_struct(step.get("state_after")), events=step.get("events", ()),
        duration_ms=step.get("duration_ms", 0), details=_struct(step.get("details")),
    )
    if step.get("failure_reason") is not None:
        message.failure_reason = step["failure_reason"]
    return message


def replay_to_proto(row: Any, header: dict[str, Any], steps: list[dict[str, Any]]
                    ) -> trajectories_pb2.TrajectoryReplay:
    """The replay of a trajectory row, from its stored `replay` header and steps."""
    replay = trajectories_pb2.TrajectoryReplay(
        id=row.id, goal=row.goal, goal_spec=_struct(header.get("goal_spec")),
        source_format=SOURCE_FORMAT, initial_state=_struct(header.get("initial_state")),
        step_count=len(steps), steps=[step_to_proto(step) for step in steps])
    for node_id, entry in (header.get("node_names") or {}).items():
        replay.node_names[node_id].CopyFrom(trajectories_pb2.NodeName(
            name=str(entry.get("name", "")), node_type=str(entry.get("node_type", ""))))
    return replay


def command_to_proto(item: dict[str, Any]) -> trajectories_pb2.Command:
    """One item of `worlds.sampler.catalog_for_world`."""
    return trajectories_pb2.Command(
        name=item["name"], pattern=item["pattern"], description=item["description"],
        usage=item["usage"], examples=item["examples"], events=item["events"])
