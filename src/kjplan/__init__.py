"""kjplan: track a bureau's annual work plan and report on it every quarter (GB/T 9704-2012)."""

__version__ = "0.1.0"
