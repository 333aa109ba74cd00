"""Where claimdesk keeps things: the one place paths are decided (platformdirs)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "claimdesk"


def default_db_path() -> Path:
    """`CLAIMDESK_DB` if set, else `claimdesk/` in the platform's user data dir."""
    from_env = os.environ.get("CLAIMDESK_DB")
    if from_env:
        return Path(from_env).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "db"


def config_path() -> Path:
    """`CLAIMDESK_CONFIG` if set, else `config.toml` in the platform's user config dir."""
    from_env = os.environ.get("CLAIMDESK_CONFIG")
    if from_env:
        return Path(from_env).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")
