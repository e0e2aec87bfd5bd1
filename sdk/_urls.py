"""Resume, cancel and approval-page URLs, signed as Windmill signs them.

The signature is hex HMAC-SHA256 under the workspace key over the job id's 16
bytes, the resume id as 4 big-endian bytes, and the approver's name when one
is given. An approval step's resume id is the first 4 bytes of SHA-256 of its
key, so URLs minted ahead of time address that step.
"""

from __future__ import annotations

import hashlib
import os
import struct

ENV_JOB_ID = "WM_JOB_ID"
ENV_WORKSPACE = "WM_WORKSPACE"
ENV_BASE_URL = "WM_BASE_URL"
ENV_SIGNING_KEY = "WAC_SIGNING_KEY"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_WORKSPACE = "local"
# Set by the executor: told when URLs are minted for an approval step, so
# they can be held to that step.
on_minted = None


def approval_resume_id(key: str) -> int:
    """First 4 bytes (big-endian) of SHA-256 of the approval's step key."""
    return struct.unpack(">I", hashlib.sha256(key.encode()).digest()[:4])[0]


def signature(secret: bytes, job_id: str, resume_id: int, approver: str | None = None) -> str:
    import hmac
    import uuid

    material = uuid.UUID(job_id).bytes + struct.pack(">I", resume_id) + (approver or "").encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()


def valid_signature(secret: bytes, job_id: str, resume_id: int, approver: str | None, given: str) -> bool:
    """Constant-time check of a URL's signature."""
    import hmac

    try:
        expected = signature(secret, job_id, resume_id, approver)
    except ValueError:  # not a UUID
        return False
    return hmac.compare_digest(expected, given)


def resume_urls(base_url: str, workspace: str, job_id: str, resume_id: int, secret: bytes,
                approver: str | None = None) -> dict[str, str]:
    from urllib.parse import quote

    sig = signature(secret, job_id, resume_id, approver)
    query = f"?approver={quote(approver, safe='')}" if approver else ""
    base = base_url.rstrip("/")
    api = f"{base}/api/w/{workspace}/jobs_u"
    return {
        "approvalPage": f"{base}/approve/{workspace}/{job_id}/{resume_id}/{sig}{query}",
        "resume": f"{api}/resume/{job_id}/{resume_id}/{sig}{query}",
        "cancel": f"{api}/cancel/{job_id}/{resume_id}/{sig}{query}",
    }


def resume_urls_for_job(step_key: str | None, approver: str | None) -> dict[str, str]:
    """URLs for the job the executor runs (it sets the environment).

    Bound to an approval step when `step_key` is given, else to a random
    resume id, as `get_resume_urls` draws one.
    """
    job_id = os.environ.get(ENV_JOB_ID)
    secret = os.environ.get(ENV_SIGNING_KEY)
    if not job_id or not secret:
        raise RuntimeError("resume URLs can only be made inside a running @workflow")
    import random

    resume_id = approval_resume_id(step_key) if step_key else random.randint(0, 1_000_000_000)
    if step_key and on_minted is not None:
        on_minted(step_key)
    return resume_urls(os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL,
                       os.environ.get(ENV_WORKSPACE, DEFAULT_WORKSPACE), job_id, resume_id,
                       bytes.fromhex(secret), approver)
