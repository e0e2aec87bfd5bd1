"""The lint rules, one per module; `ALL_RULES` is the order they run in."""

from __future__ import annotations

from .._lint import Rule
from .aliased_sdk_name import AliasedSdkName
from .flow_needs_workspace import FlowNeedsWorkspace
from .missing_module import MissingModule
from .missing_workflow import MissingWorkflow
from .non_literal_step_name import NonLiteralStepName
from .nondeterministic_call import NondeterministicCall
from .swallowed_suspension import SwallowedSuspension
from .sync_task import SyncTask
from .sync_workflow import SyncWorkflow
from .task_not_top_level import TaskNotTopLevel
from .unawaited_call import UnawaitedCall
from .unknown_task_option import UnknownTaskOption

ALL_RULES: tuple[type[Rule], ...] = (
    NondeterministicCall,
    AliasedSdkName,
    NonLiteralStepName,
    TaskNotTopLevel,
    SyncTask,
    SyncWorkflow,
    MissingWorkflow,
    SwallowedSuspension,
    UnawaitedCall,
    MissingModule,
    UnknownTaskOption,
    FlowNeedsWorkspace,
)

__all__ = ["ALL_RULES"]
