"""WAC110: `task_script("./x.py")` whose module file is missing or escapes `__mod`."""

from __future__ import annotations

import posixpath
from typing import Iterator

from .._lint import Example, LintContext, Report, Rule

_MODULE_PREFIX = "./"


class MissingModule(Rule):
    """`task_script("./x.py")` runs a companion module stored in the script's
    `__mod/` folder. Windmill fails the run with "Module 'x' not found in
    script modules" when the file is not there, and a path that leaves the
    folder (`./../x.py`) can never be one of its modules.
    """

    CODE = "WAC110"
    NAME = "missing-module"
    MESSAGE = "task_script module not found in the script's __mod folder"
    HINT = "create the file in the `<script>__mod/` folder or fix the path"
    VALID = [Example("from wmill import task_script, workflow\n\nhelper = task_script('./helper.py')\n\n"
                     "@workflow\nasync def main():\n    return await helper(x=1)\n")]
    INVALID = [
        Example("from wmill import task_script, workflow\n\n@workflow\nasync def main():\n"
                "    return await task_script('./nope.py')(x=1)\n", line=5),
        Example("from wmill import task_script\n\nup = task_script('./../secret.py')\n", line=3),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        seen = [(ref.target, ref.call) for ref in ctx.graph.references.values() if ref.kind == "script"]
        seen += [(c.name, c.node) for c in ctx.graph.calls() if c.kind == "script" and c.name]
        for target, node in seen:
            if not target or not target.startswith(_MODULE_PREFIX):
                continue
            relative = posixpath.normpath(target[len(_MODULE_PREFIX) :])
            if relative.startswith("../") or relative == ".." or posixpath.isabs(relative):
                yield self.report(node, f"`{target}` points outside the script's __mod folder")
            elif ctx.module_files is not None and relative not in ctx.module_files:
                yield self.report(node, f"module `{target}` does not exist in the __mod folder")
