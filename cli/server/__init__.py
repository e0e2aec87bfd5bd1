"""`wac server`: a local Windmill workspace that the real `wmill` CLI and SDK can use.

The HTTP API is the part of Windmill's REST API those clients call
(reference/wmill-api-contract.md), on Starlette and uvicorn; jobs run on the
local engine (`wac.sdk.engine`) with the same semantics as `wac script
preview`; pages show runs and answer approvals.
"""
