"""How a screen asks to go elsewhere: through the App's navigation methods, never by building another screen.

Screens do not import each other (no import cycles, one place decides how the
stack grows); they call `navigator(self).open_report(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from store.ledger import LedgerKeeper


class Navigator(Protocol):
    def show_library(self) -> None: ...

    def open_report(self, report_id: str, paragraph_number: int | None = None, claim_id: str | None = None) -> None: ...

    def show_actors(self) -> None: ...

    def show_agreement(self) -> None: ...

    def open_adjudication(self, report_id: str, reviewers: tuple[str, ...] | None = None) -> None: ...

    def open_claims(self) -> None: ...

    def show_dossier(self, actor_id: str) -> None: ...

    @property
    def ledger_keeper(self) -> LedgerKeeper:
        """The claims ledger the app's screens share (read the first time a screen wants it)."""
        ...


def navigator(node: DOMNode) -> Navigator:
    """The running app, as the navigation it offers (ClaimdeskApp implements Navigator)."""
    return cast(Navigator, node.app)
