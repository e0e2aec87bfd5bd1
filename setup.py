"""Packages of the four source roots, found rather than listed, under one `wac.` prefix.

pyproject.toml holds everything else; setuptools reads both.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {"cli": "wac.cli", "sdk": "wac.sdk", "parser": "wac.parser", "testing": "wac.testing"}

setup(
    package_data={"wac.cli": ["templates/*"]},
    package_dir=dict((prefix, root) for root, prefix in ROOTS.items()),
    packages=[f"{prefix}{found[len(root):]}" for root, prefix in ROOTS.items()
              for found in [root, *(f"{root}.{p}" for p in find_namespace_packages(root, exclude=["*__pycache__*"]))]],
)
