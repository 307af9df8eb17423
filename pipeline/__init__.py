"""sdg-profiles: country profiles on SDG localization -> clean, normalized Parquet.

``pipeline.extract_file(path)`` gives one profile's tables without writing anything;
``sdg-profiles run DIR`` (pipeline.run) writes the dataset of a whole folder.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["extract_file", "load_rules", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `import pipeline` stays cheap for tools that only need errors or schema.
    if name == "extract_file":
        from .extract import extract_file

        return extract_file
    if name == "load_rules":
        from .rules import load_rules

        return load_rules
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
