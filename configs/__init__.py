"""Shipped YAML configuration (defaults, policies, catalogues), validated by pydantic models."""

from __future__ import annotations

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
