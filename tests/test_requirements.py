"""Requirement inference and workspace imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import FIXTURES, oracle_cases
from wac.parser import infer_requirements, package_name, workspace_imports


@pytest.mark.parametrize("case", [c for c in oracle_cases() if c.get("sig", {}).get("type") != "Invalid"],
                         ids=lambda c: c["file"].rsplit("/", 1)[-1])
def test_workspace_imports_match_reference(case):
    code = (FIXTURES / "schema" / case["file"]).read_text(encoding="utf-8")
    stem = case["file"].rsplit("/", 1)[-1][:-3]
    assert workspace_imports(code, f"f/demo/{stem}") == case["relative_imports"]


def test_stdlib_workspace_and_mapped_imports():
    code = (
        "import os, json\nimport yaml\nimport cv2\nfrom PIL import Image\nimport sklearn.linear_model\n"
        "from dateutil import parser\nimport google.cloud.kms_inventory\nimport wmill\n"
        "from f.lib.helper import x\nimport numpy as np\n\ndef main():\n    import pandas\n"
    )
    result = infer_requirements(code, "f/x/y")
    assert result.packages == [
        "Pillow", "google-cloud-kms-inventory", "numpy", "opencv-python",
        "python-dateutil", "pyyaml", "scikit-learn", "wmill",
    ]
    assert result.workspace_imports == ["f/lib/helper"]
    assert not result.manual


def test_only_imports_above_main_count():
    code = "import requests\n\ndef main():\n    return 1\n\nimport pandas\n"
    assert infer_requirements(code, "f/x/y").packages == ["requests"]


def test_pins_repins_and_extra_requirements():
    code = (
        "#extra_requirements:\n#pandas>=2\n#tqdm==4.66.1\n\n"
        "import pandas  # pin: pandas<3\nimport numpy  # repin: numpy==1.26.4\nimport httpx  # pin: httpx>=0.27\n"
        "\ndef main():\n    pass\n"
    )
    result = infer_requirements(code, "f/x/y")
    assert result.packages == ["httpx>=0.27", "numpy==1.26.4", "pandas<3", "pandas>=2", "tqdm==4.66.1"]
    assert result.conflicts == ["pandas: pandas<3, pandas>=2"]


def test_manual_requirements_block_replaces_inference():
    code = "#requirements:\n#requests==2.31.0\n#httpx\n#\n#congo\nimport pandas\n\ndef main():\n    pass\n"
    result = infer_requirements(code, "f/x/y")
    assert result.manual and result.packages == ["httpx", "requests==2.31.0"]


@pytest.mark.parametrize(
    "header, expected",
    [("# py: >=3.12\n", ">=3.12"), ("#py311\n", "3.11"), ("# py312\n", "3.12"),
     ('# /// script\n# requires-python = ">=3.10"\n# dependencies = ["rich>=13"]\n# ///\n', ">=3.10"), ("", None)],
)
def test_python_version(header, expected):
    assert infer_requirements(header + "import os\n\ndef main():\n    pass\n", "f/x/y").python == expected


def test_pep723_dependencies_are_pins():
    code = '# /// script\n# dependencies = ["rich>=13", "httpx"]\n# ///\nimport rich\n\ndef main():\n    pass\n'
    assert infer_requirements(code, "f/x/y").packages == ["httpx", "rich>=13"]


@pytest.mark.parametrize("line, name", [("pandas>=2", "pandas"), ("psycopg[binary]==3", "psycopg"),
                                        ("requests", "requests"), ("a-b ; python_version<'3'", "a-b")])
def test_package_name(line, name):
    assert package_name(line) == name


NEWER_SYNTAX = (
    "import os, f.lib.a\nfrom ..shared import b\ntype Alias = list[int]\nfrom u.me.c import d\n\n"
    "async def main(x: int):\n    import f.lib.inner\n    return x\n\nfrom f.lib.after import z\n"
)
NESTED = (
    "from f.lib.x import y\nif True:\n    from f.lib.cond import q\ntry:\n    import f.lib.tried\n"
    "except ImportError:\n    pass\nfrom . import sibling\nfrom .. import parent\n\ndef main():\n    pass\n"
)


@pytest.mark.parametrize("code, expected", [
    # Outputs of wmill's parser (reference-wmill `run.sh --parse`) for the same files.
    (NEWER_SYNTAX, ["f/lib/a", "f/shared", "u/me/c"]),
    (NESTED, ["f", "f/demo", "f/lib/x"]),
    ("from f.lib.x import y\n\ndef helper(:\n    pass\n\ndef main():\n    pass\n", []),
], ids=["syntax-newer-than-3.11-and-async-main", "only-top-level-lines", "unparsable"])
def test_workspace_imports_shapes(code, expected):
    assert workspace_imports(code, "f/demo/script") == expected


TYPE_PARAMETERS = (
    "from f.lib.a import A\ntype Pair[K, V] = tuple[K, V]\nclass Box[T: int](A):\n    pass\n"
    "async def fetch[T](x: T) -> T:\n    return x\n    type Local = int\nfrom u.me.c import d\n\n"
    "def main():\n    pass\n"
)


@pytest.mark.parametrize("code", [TYPE_PARAMETERS, NEWER_SYNTAX, TYPE_PARAMETERS + 'x = f"{"a"}"\n'],
                         ids=["type-parameters", "type-alias", "rewrite-not-enough"])
def test_newer_syntax_reads_as_libcst_reads_it(code):
    from wac.parser._imports import _statements_read_by_libcst, imports_in

    expected = imports_in(_statements_read_by_libcst(code), "f/demo/script")
    assert expected and workspace_imports(code, "f/demo/script") == expected


def loads_libcst(check: str) -> bool:
    """Whether a fresh interpreter running `check` (the parser's two import readers at hand) loads libcst."""
    probe = f"import sys\nfrom wac.parser import infer_requirements, workspace_imports\n{check}\n" \
            "print('libcst' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_type_parameter_syntax_does_not_import_libcst():
    """libcst's import costs a third of a second of a dry run: Python 3.12 type syntax needs only ast."""
    assert not loads_libcst(f"assert workspace_imports({TYPE_PARAMETERS!r}, 'f/demo/s') == ['f/lib/a', 'u/me/c']")


COMMENT_SHAPES = [
    "import pandas  # pin: pandas<3\nimport numpy as np  # repin: numpy==1.26.4\n\ndef main():\n    pass\n",
    "import a; import b  # pin: b==2\nimport c; s = '# pin: c==1'\nimport d  # a comment, not a pin\n",
    "from x import (  # pin: x==9\n    y,\n    z,\n)  # pin: x==1\nfrom . import rel  # pin: rel==1\n",
    "import a, \\\n    b  # pin: b==3\nimport e; t = (1,\n    2)  # pin: e==4\n# pin: orphan==1\nimport f\n",
    "import a  # pin: a==1\r\nimport b\r\n\x0cimport c  # repin: c==2\r\n",
    "async def helper():\n    pass\n\nimport late  # pin: late==1\n\nasync def main():\n    import inner\n",
    "import q.r.s as t  # pin: q==1\nfrom u.me.x import y\nfrom .sib import z\nimport yaml\nimport w  # pin: w==1",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport é_module  # pin: e==1\nimport émoji; x = '#'\n",
    "import e; t = (1,\n    2)  # pin: e==4\n",  # the comment ends the logical line the import starts
    "import a; \\\n    x = 1  # pin: a==1\n",
]


@pytest.mark.parametrize("code", COMMENT_SHAPES + [NEWER_SYNTAX, NESTED, TYPE_PARAMETERS] + [
    (FIXTURES / "schema" / case["file"]).read_text(encoding="utf-8") for case in oracle_cases()])
def test_imports_and_their_pins_read_with_ast_as_libcst_reads_them(code):
    from wac.parser._requirements import import_lines, import_lines_read_by_libcst

    try:
        expected = import_lines_read_by_libcst(code)
    except Exception:  # invalid for libcst: ast must not read it either
        with pytest.raises(Exception):
            import_lines(code)
        return
    assert import_lines(code) == expected


def test_requirements_do_not_import_libcst():
    """Inferring a script's packages is on every edited preview's path: libcst's import alone is 0.3 s."""
    assert not loads_libcst(f"assert infer_requirements({COMMENT_SHAPES[0] + TYPE_PARAMETERS!r}, 'f/x/y').packages"
                            " == ['numpy==1.26.4', 'pandas<3']")
