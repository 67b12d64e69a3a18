import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from worlds.v1 import jobs_pb2 as _jobs_pb2
from worlds.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrajectoryStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAJECTORY_STRATEGY_UNSPECIFIED: _ClassVar[TrajectoryStrategy]
    TRAJECTORY_STRATEGY_RANDOM: _ClassVar[TrajectoryStrategy]
    TRAJECTORY_STRATEGY_GREEDY: _ClassVar[TrajectoryStrategy]
    TRAJECTORY_STRATEGY_RECON_FIRST: _ClassVar[TrajectoryStrategy]
    TRAJECTORY_STRATEGY_SMART_RANDOM: _ClassVar[TrajectoryStrategy]

class TrajectoryMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAJECTORY_MODE_UNSPECIFIED: _ClassVar[TrajectoryMode]
    TRAJECTORY_MODE_KALI: _ClassVar[TrajectoryMode]
    TRAJECTORY_MODE_C2: _ClassVar[TrajectoryMode]
    TRAJECTORY_MODE_AGENT: _ClassVar[TrajectoryMode]

class TerminationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TERMINATION_REASON_UNSPECIFIED: _ClassVar[TerminationReason]
    TERMINATION_REASON_GOAL_REACHED: _ClassVar[TerminationReason]
    TERMINATION_REASON_MAX_STEPS: _ClassVar[TerminationReason]
    TERMINATION_REASON_NO_APPLICABLE_COMMANDS: _ClassVar[TerminationReason]
    TERMINATION_REASON_GOAL_UNREACHABLE: _ClassVar[TerminationReason]
TRAJECTORY_STRATEGY_UNSPECIFIED: TrajectoryStrategy
TRAJECTORY_STRATEGY_RANDOM: TrajectoryStrategy
TRAJECTORY_STRATEGY_GREEDY: TrajectoryStrategy
TRAJECTORY_STRATEGY_RECON_FIRST: TrajectoryStrategy
TRAJECTORY_STRATEGY_SMART_RANDOM: TrajectoryStrategy
TRAJECTORY_MODE_UNSPECIFIED: TrajectoryMode
TRAJECTORY_MODE_KALI: TrajectoryMode
TRAJECTORY_MODE_C2: TrajectoryMode
TRAJECTORY_MODE_AGENT: TrajectoryMode
TERMINATION_REASON_UNSPECIFIED: TerminationReason
TERMINATION_REASON_GOAL_REACHED: TerminationReason
TERMINATION_REASON_MAX_STEPS: TerminationReason
TERMINATION_REASON_NO_APPLICABLE_COMMANDS: TerminationReason
TERMINATION_REASON_GOAL_UNREACHABLE: TerminationReason

class Trajectory(_message.Message):
    __slots__ = ("id", "organization_id", "workspace_id", "project_id", "manifest_id", "source_job_id", "name", "goal", "strategy", "mode", "max_steps", "seed", "sequence_index", "success", "step_count", "termination_reason", "summary", "artifact_refs", "created_by", "created_by_user", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_INDEX_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    STEP_COUNT_FIELD_NUMBER: _ClassVar[int]
    TERMINATION_REASON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_REFS_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    workspace_id: str
    project_id: str
    manifest_id: str
    source_job_id: str
    name: str
    goal: str
    strategy: TrajectoryStrategy
    mode: TrajectoryMode
    max_steps: int
    seed: int
    sequence_index: int
    success: bool
    step_count: int
    termination_reason: TerminationReason
    summary: _struct_pb2.Struct
    artifact_refs: _struct_pb2.Struct
    created_by: str
    created_by_user: _jobs_pb2.User
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., workspace_id: _Optional[str] = ..., project_id: _Optional[str] = ..., manifest_id: _Optional[str] = ..., source_job_id: _Optional[str] = ..., name: _Optional[str] = ..., goal: _Optional[str] = ..., strategy: _Optional[_Union[TrajectoryStrategy, str]] = ..., mode: _Optional[_Union[TrajectoryMode, str]] = ..., max_steps: _Optional[int] = ..., seed: _Optional[int] = ..., sequence_index: _Optional[int] = ..., success: _Optional[bool] = ..., step_count: _Optional[int] = ..., termination_reason: _Optional[_Union[TerminationReason, str]] = ..., summary: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., artifact_refs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_by: _Optional[str] = ..., created_by_user: _Optional[_Union[_jobs_pb2.User, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Technique(_message.Message):
    __slots__ = ("tactic", "technique_id", "name")
    TACTIC_FIELD_NUMBER: _ClassVar[int]
    TECHNIQUE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    tactic: str
    technique_id: str
    name: str
    def __init__(self, tactic: _Optional[str] = ..., technique_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class TrajectoryStep(_message.Message):
    __slots__ = ("index", "title", "source", "command_name", "command", "technique", "target_summary", "targets", "exit_code", "failed", "failure_reason", "stdout", "stderr", "state_before", "state_after", "events", "duration_ms", "details")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_NAME_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    TECHNIQUE_FIELD_NUMBER: _ClassVar[int]
    TARGET_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    STATE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    STATE_AFTER_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    index: int
    title: str
    source: str
    command_name: str
    command: str
    technique: Technique
    target_summary: str
    targets: _struct_pb2.Struct
    exit_code: int
    failed: bool
    failure_reason: str
    stdout: str
    stderr: str
    state_before: _struct_pb2.Struct
    state_after: _struct_pb2.Struct
    events: _containers.RepeatedScalarFieldContainer[str]
    duration_ms: int
    details: _struct_pb2.Struct
    def __init__(self, index: _Optional[int] = ..., title: _Optional[str] = ..., source: _Optional[str] = ..., command_name: _Optional[str] = ..., command: _Optional[str] = ..., technique: _Optional[_Union[Technique, _Mapping]] = ..., target_summary: _Optional[str] = ..., targets: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., exit_code: _Optional[int] = ..., failed: _Optional[bool] = ..., failure_reason: _Optional[str] = ..., stdout: _Optional[str] = ..., stderr: _Optional[str] = ..., state_before: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., state_after: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., events: _Optional[_Iterable[str]] = ..., duration_ms: _Optional[int] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class NodeName(_message.Message):
    __slots__ = ("name", "node_type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NODE_TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    node_type: str
    def __init__(self, name: _Optional[str] = ..., node_type: _Optional[str] = ...) -> None: ...

class TrajectoryReplay(_message.Message):
    __slots__ = ("id", "goal", "goal_spec", "source_format", "initial_state", "node_names", "step_count", "steps")
    class NodeNamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: NodeName
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[NodeName, _Mapping]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    GOAL_SPEC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STATE_FIELD_NUMBER: _ClassVar[int]
    NODE_NAMES_FIELD_NUMBER: _ClassVar[int]
    STEP_COUNT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    id: str
    goal: str
    goal_spec: _struct_pb2.Struct
    source_format: str
    initial_state: _struct_pb2.Struct
    node_names: _containers.MessageMap[str, NodeName]
    step_count: int
    steps: _containers.RepeatedCompositeFieldContainer[TrajectoryStep]
    def __init__(self, id: _Optional[str] = ..., goal: _Optional[str] = ..., goal_spec: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., source_format: _Optional[str] = ..., initial_state: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., node_names: _Optional[_Mapping[str, NodeName]] = ..., step_count: _Optional[int] = ..., steps: _Optional[_Iterable[_Union[TrajectoryStep, _Mapping]]] = ...) -> None: ...

class Command(_message.Message):
    __slots__ = ("name", "pattern", "description", "usage", "examples", "events")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    pattern: str
    description: str
    usage: str
    examples: _containers.RepeatedScalarFieldContainer[str]
    events: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., pattern: _Optional[str] = ..., description: _Optional[str] = ..., usage: _Optional[str] = ..., examples: _Optional[_Iterable[str]] = ..., events: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateTrajectoryJobRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id", "name", "project_id", "goal", "count", "strategy", "max_steps", "seed", "threads", "only_successful", "mode", "runtime_id", "capability_name", "agent_name", "agent_model", "agent_policy")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    MAX_STEPS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    THREADS_FIELD_NUMBER: _ClassVar[int]
    ONLY_SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_ID_FIELD_NUMBER: _ClassVar[int]
    CAPABILITY_NAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_NAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_MODEL_FIELD_NUMBER: _ClassVar[int]
    AGENT_POLICY_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    name: str
    project_id: str
    goal: str
    count: int
    strategy: TrajectoryStrategy
    max_steps: int
    seed: int
    threads: int
    only_successful: bool
    mode: TrajectoryMode
    runtime_id: str
    capability_name: str
    agent_name: str
    agent_model: str
    agent_policy: _struct_pb2.Struct
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., goal: _Optional[str] = ..., count: _Optional[int] = ..., strategy: _Optional[_Union[TrajectoryStrategy, str]] = ..., max_steps: _Optional[int] = ..., seed: _Optional[int] = ..., threads: _Optional[int] = ..., only_successful: _Optional[bool] = ..., mode: _Optional[_Union[TrajectoryMode, str]] = ..., runtime_id: _Optional[str] = ..., capability_name: _Optional[str] = ..., agent_name: _Optional[str] = ..., agent_model: _Optional[str] = ..., agent_policy: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CreateTrajectoryJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _jobs_pb2.Job
    def __init__(self, job: _Optional[_Union[_jobs_pb2.Job, _Mapping]] = ...) -> None: ...

class ListTrajectoriesRequest(_message.Message):
    __slots__ = ("org", "workspace", "page", "page_size", "manifest_id", "project_id", "created_by")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    page: int
    page_size: int
    manifest_id: str
    project_id: str
    created_by: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., manifest_id: _Optional[str] = ..., project_id: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class ListTrajectoriesResponse(_message.Message):
    __slots__ = ("items", "page", "page_size", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Trajectory]
    page: int
    page_size: int
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[Trajectory, _Mapping]]] = ..., page: _Optional[int] = ..., page_size: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class GetTrajectoryRequest(_message.Message):
    __slots__ = ("org", "workspace", "trajectory_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    TRAJECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    trajectory_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., trajectory_id: _Optional[str] = ...) -> None: ...

class GetTrajectoryResponse(_message.Message):
    __slots__ = ("trajectory",)
    TRAJECTORY_FIELD_NUMBER: _ClassVar[int]
    trajectory: Trajectory
    def __init__(self, trajectory: _Optional[_Union[Trajectory, _Mapping]] = ...) -> None: ...

class GetTrajectoryReplayRequest(_message.Message):
    __slots__ = ("org", "workspace", "trajectory_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    TRAJECTORY_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    trajectory_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., trajectory_id: _Optional[str] = ...) -> None: ...

class GetTrajectoryReplayResponse(_message.Message):
    __slots__ = ("replay",)
    REPLAY_FIELD_NUMBER: _ClassVar[int]
    replay: TrajectoryReplay
    def __init__(self, replay: _Optional[_Union[TrajectoryReplay, _Mapping]] = ...) -> None: ...

class ListCommandsRequest(_message.Message):
    __slots__ = ("org", "workspace", "manifest_id")
    ORG_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_ID_FIELD_NUMBER: _ClassVar[int]
    org: str
    workspace: str
    manifest_id: str
    def __init__(self, org: _Optional[str] = ..., workspace: _Optional[str] = ..., manifest_id: _Optional[str] = ...) -> None: ...

class ListCommandsResponse(_message.Message):
    __slots__ = ("count", "items")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    count: int
    items: _containers.RepeatedCompositeFieldContainer[Command]
    def __init__(self, count: _Optional[int] = ..., items: _Optional[_Iterable[_Union[Command, _Mapping]]] = ...) -> None: ...
