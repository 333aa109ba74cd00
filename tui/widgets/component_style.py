"""A component class's style as the CSS means it, for widgets that draw their own rows.

`Widget.get_component_rich_style(name, partial=True)` gives only what the
component's rules set (so it can be laid over a row's own styles), but leaves a
translucent colour — `$primary 30%`, `$foreground 15%` — opaque: a list's
blurred highlight then looked focused and a divider as bright as text. The full
style has the colours blended over what lies beneath; this takes those.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def component_style(widget: Widget, name: str) -> Style:
    """What the rules of component class `name` set, with their colours as drawn."""
    partial = widget.get_component_rich_style(name, partial=True)
    full = widget.get_component_rich_style(name)
    return partial + Style(color=full.color if partial.color else None, bgcolor=full.bgcolor if partial.bgcolor else None)


__all__ = ["component_style"]
