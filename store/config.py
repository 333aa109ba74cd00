"""User settings from the config file (TOML): reviewer name, review flow and key remapping.

    reviewer = "amira"
    advance_after_review = true   # space marks a paragraph reviewed, then moves to the next unreviewed one
    [keys]
    # binding id = "key[,key…]" — ids are listed by `?` in the app and in the README
    claim = "C"
    next_paragraph = "j,down,ctrl+n"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import ClaimdeskError
from store.text import clean_line

_KEY = re.compile(r"^[A-Za-z0-9_+\-,.;:'!?@#$%^&*()\[\]{}<>/\\|`~= ]{1,80}$")


@dataclass(frozen=True)
class Settings:
    reviewer: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    advance_after_review: bool = True
    warnings: tuple[str, ...] = ()


def load_settings(path: Path) -> Settings:
    """Read the config file; a missing file is no settings. Bad values are reported, not fatal."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as error:
        raise ClaimdeskError(f"{clean_line(str(path))}: cannot be read ({error.strerror})") from None
    import tomllib  # here, not at the top: most users have no config file, and every start reads this

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ClaimdeskError(f"{clean_line(str(path))}: not valid TOML ({clean_line(str(error))})") from None
    warnings: list[str] = []
    keymap: dict[str, str] = {}
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        warnings.append("[keys] must be a table of binding id = \"key\"")
        keys = {}
    for binding_id, key in keys.items():
        if isinstance(key, str) and _KEY.match(key) and re.match(r"^[a-z_.]+$", binding_id):
            keymap[binding_id] = key
        else:
            warnings.append(f"ignored key setting {clean_line(str(binding_id))!r}")
    reviewer = data.get("reviewer")
    if reviewer is not None and not isinstance(reviewer, str):
        warnings.append("reviewer must be a string")
        reviewer = None
    advance = data.get("advance_after_review", True)
    if not isinstance(advance, bool):
        warnings.append("advance_after_review must be true or false")
        advance = True
    return Settings(clean_line(reviewer) if reviewer else None, keymap, advance_after_review=advance, warnings=tuple(warnings))
