"""Onboarding's names for the shared YAML loader (:mod:`tools.yamlmodel`).

Kept so existing imports (``from tools.onboarding.yamlio import read_yaml``) keep
working; the loading rules live in one place for every scenario.
"""

from __future__ import annotations

from baton.tools.yamlmodel import (
    ErrorFactory,
    YamlDoc,
    clean_message,
    first_error,
    format_loc,
    load_yaml_model,
    read_yaml,
    validate_doc,
)

__all__ = [
    "ErrorFactory",
    "YamlDoc",
    "clean_message",
    "first_error",
    "format_loc",
    "load_yaml_model",
    "read_yaml",
    "validate_doc",
]
