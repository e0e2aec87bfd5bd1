"""The parser's public surface, pinned so a refactor cannot drop a name."""

from __future__ import annotations

import wac.parser


def test_parser_exports():
    assert sorted(wac.parser.__all__) == sorted([
        "ALL_RULES", "ERROR", "RULES_VERSION", "WARNING", "Arg", "Block", "Example", "Finding",
        "Group", "LintContext", "MainSignature", "Position", "Requirements", "Rule", "ScriptRef",
        "Source", "SourceSyntaxError", "TaskDef", "WacCall", "WacGraph", "build_graph",
        "Outline", "default_schema", "infer_requirements", "infer_schema", "lint_source", "may_import_workspace", "outline", "package_name",
        "parse_signature", "signature_of_module", "workspace_imports",
    ])
    for name in wac.parser.__all__:
        assert hasattr(wac.parser, name)
