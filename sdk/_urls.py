"""Resume and cancel URLs for approvals, signed like Windmill's (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import os
import struct

ENV_JOB_ID = "WM_JOB_ID"
ENV_WORKSPACE = "WM_WORKSPACE"
ENV_BASE_URL = "WM_BASE_URL"
ENV_SIGNING_KEY = "WAC_SIGNING_KEY"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_WORKSPACE = "local"


def approval_resume_id(key: str) -> int:
    """First 4 bytes (big-endian) of SHA-256 of the approval's step key."""
    return struct.unpack(">I", hashlib.sha256(key.encode()).digest()[:4])[0]


def signature(secret: bytes, job_id: str, resume_id: int) -> str:
    """Hex HMAC-SHA256 over the job id bytes followed by the resume id (4 bytes, big-endian)."""
    return hmac.new(secret, job_id.encode() + struct.pack(">I", resume_id), hashlib.sha256).hexdigest()


def resume_urls(base_url: str, workspace: str, job_id: str, resume_id: int, secret: bytes,
                approver: str | None = None) -> dict[str, str]:
    sig = signature(secret, job_id, resume_id)
    query = f"?approver={approver}" if approver else ""
    api = f"{base_url.rstrip('/')}/api/w/{workspace}/jobs_u"
    return {
        "approvalPage": f"{base_url.rstrip('/')}/approve/{workspace}/{job_id}/{resume_id}/{sig}{query}",
        "resume": f"{api}/resume/{job_id}/{resume_id}/{sig}{query}",
        "cancel": f"{api}/cancel/{job_id}/{resume_id}/{sig}{query}",
    }


def resume_urls_for_current_job(approver: str | None = None) -> dict[str, str]:
    """URLs for the job the executor runs (it sets the environment); random resume id as Windmill."""
    job_id = os.environ.get(ENV_JOB_ID)
    secret = os.environ.get(ENV_SIGNING_KEY)
    if not job_id or not secret:
        raise RuntimeError("get_resume_urls() can only be used inside a running @workflow")
    resume_id = int.from_bytes(os.urandom(4), "big") % 1_000_000_000
    return resume_urls(os.environ.get(ENV_BASE_URL, DEFAULT_BASE_URL),
                       os.environ.get(ENV_WORKSPACE, DEFAULT_WORKSPACE), job_id, resume_id,
                       bytes.fromhex(secret), approver)
