"""The lint rules, one per module; `ALL_RULES` is the order they run in."""

from __future__ import annotations

from .._lint import Rule
from .aliased_sdk_name import AliasedSdkName
from .flow_not_in_repo import FlowNotInRepo
from .gather_return_exceptions import GatherReturnExceptions
from .missing_module import MissingModule
from .missing_workflow import MissingWorkflow
from .non_literal_step_name import NonLiteralStepName
from .nondeterministic_call import NondeterministicCall
from .swallowed_suspension import SwallowedSuspension
from .sync_task import SyncTask
from .sync_workflow import SyncWorkflow
from .unawaited_call import UnawaitedCall
from .unknown_task_option import UnknownTaskOption

ALL_RULES: tuple[type[Rule], ...] = (
    NondeterministicCall,
    AliasedSdkName,
    NonLiteralStepName,
    SyncTask,
    SyncWorkflow,
    MissingWorkflow,
    SwallowedSuspension,
    UnawaitedCall,
    MissingModule,
    UnknownTaskOption,
    FlowNotInRepo,
    GatherReturnExceptions,
)

__all__ = ["ALL_RULES"]
