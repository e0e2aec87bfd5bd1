"""Test workflows with pytest, on the real executor and without a server.

    def test_order(wac):                       # the `wac` fixture (this package's pytest plugin)
        run = wac.run("f/shop/order.py", {"order_id": "o1"}, fakes={"charge": lambda amount: {"ok": True}},
                      approvals=[{"approved": True, "approver": "ana"}])
        assert run.status == "success"
        wac.replay("f/shop/order.py", run.history())   # NonDeterminism if the code diverges
"""

from wac.sdk import NondeterminismError as NonDeterminism

from .harness import Harness, RunResult, TaskCall, replay

__all__ = ["Harness", "NonDeterminism", "RunResult", "TaskCall", "replay"]
