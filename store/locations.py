"""Where claimdesk keeps things: the one place paths are decided (platformdirs)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_state_dir

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


def state_path() -> Path:
    """`CLAIMDESK_STATE` if set, else `claimdesk/` in the platform's user state dir (`~/.local/state/claimdesk`).

    What one analyst was doing, kept out of the shared database: where each report
    was left, rejected suggestions, form drafts, the last export folder (store/workstate.py).
    """
    from_env = os.environ.get("CLAIMDESK_STATE")
    if from_env:
        return Path(from_env).expanduser()
    return Path(user_state_dir(APP_NAME, appauthor=False))


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")
