"""sdg-profiles: country profiles on SDG localization -> clean, normalized Parquet."""
from __future__ import annotations

__version__ = "0.1.0"
