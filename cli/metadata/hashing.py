"""Content hashes exactly as the wmill CLI records them in wmill-lock.yaml."""

from __future__ import annotations

import hashlib
import json

from .collation import locale_key
from .lockfile import SEPARATOR

SCRIPT_HASH_KEY = "__script_hash"
# The CLI prefixes (or suffixes) JSON.stringify of the workspace dependencies: `{}` but in a pull's
# hashes (see workspace_deps).
NO_DEPS = "{}"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def script_hash(script_text: str, metadata_text: str, deps: str = NO_DEPS) -> str:
    return sha256_hex(deps + script_text + metadata_text)


def module_hash(module_text: str) -> str:
    return sha256_hex(module_text + NO_DEPS)


def item_hashes(remote: str, script_text: str, metadata_text: str, modules: dict[str, str],
                deps: str = NO_DEPS) -> dict[str, str]:
    """The wmill-lock.yaml entries of one script: `path`, or `path+__script_hash` + modules (`deps`: the
    workspace dependencies a pull hashes with, as JSON)."""
    main = script_hash(script_text, metadata_text, deps)
    if not modules:
        return {remote: main}
    per_module = {rel: module_hash(text) for rel, text in modules.items()}
    pairs = sorted(per_module.items(), key=lambda pair: locale_key(pair[0]))
    combined = sha256_hex(main + json.dumps(pairs, separators=(",", ":"), ensure_ascii=False))
    out = {f"{remote}{SEPARATOR}{SCRIPT_HASH_KEY}": combined}
    out.update({f"{remote}{SEPARATOR}{rel}": digest for rel, digest in per_module.items()})
    return out
