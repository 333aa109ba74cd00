"""One way to fill in every form of the app (claim, actor, export, flag reason).

* **enter** moves to the next field; on the last field it saves. In a field
  that offers picks (an actor field, the actor picker) enter first accepts the
  highlighted pick, then moves on.
* **ctrl+s** saves from any field.
* **esc** cancels; if anything was typed, it first asks whether to drop it.
* No key pressed while a form is open reaches the screen behind it: a form is
  modal, and its own bindings are the only ones that run (the app's too are
  out of reach: Textual stops the binding chain at a modal screen). Keys typed
  in the same burst as the key that opened it wait for it to be built (the app
  holds them: `ClaimdeskApp.on_event`) and land in its first field, in order.

A form lists its fields (widget ids, in order) in `FIELDS`, says what it holds
in `values()` (to tell whether anything was typed), and saves in `save()`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input

from tui.keys import hint
from tui.widgets.actor_field import ActorField
from tui.widgets.choice import DigitChoice
from tui.widgets.grade_field import GradeField

T = TypeVar("T")


class FormCheckbox(Checkbox):
    """A checkbox in a form: space ticks it, enter moves on (as in every field)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "screen.next_field", "Next field", show=False),
    ]


class FormScreen(ModalScreen[T], Generic[T]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # Fields that are not text (a choice, a grade) send enter here; text fields say they were submitted.
        Binding("enter", "next_field", "Next field", show=False, id="form.next"),
    ]

    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        super().__init__()
        self._initial: Any = None

    def on_mount(self) -> None:
        self._initial = self.values()

    # ----------------------------------------------------------- the model

    def values(self) -> Any:
        """What the form holds now, comparable: a change since it opened means something was typed."""
        raise NotImplementedError

    def save(self) -> None:
        """Check the fields and answer (dismiss), or say what is missing and stay."""
        raise NotImplementedError

    @property
    def dirty(self) -> bool:
        return self._initial is not None and self.values() != self._initial

    def form_hint(self, *more: tuple[str, str]) -> str:
        """The hint line of a form, from the live keymap."""
        return "enter next field (the last saves) · " + hint(self, *more, ("form.save", "save"), ("form.cancel", "cancel"))

    # ---------------------------------------------------------- moving on

    def field_ids(self) -> tuple[str, ...]:
        """The fields in order, those shown now (a form may hide some)."""
        return tuple(field for field in self.FIELDS if self.query(f"#{field}") and self.query_one(f"#{field}").display)

    def current_field(self) -> str | None:
        focused = self.focused
        while focused is not None and focused is not self:
            if focused.id in self.FIELDS:
                return focused.id
            focused = focused.parent  # type: ignore[assignment]
        return None

    def next_field(self) -> None:
        """Enter: the next field, or save on the last."""
        fields = self.field_ids()
        current = self.current_field()
        if current is None or current not in fields:
            if fields:
                self.focus_field(fields[0])
            return
        index = fields.index(current)
        if index + 1 >= len(fields):
            self.action_save()
        else:
            self.focus_field(fields[index + 1])

    def focus_field(self, field_id: str) -> None:
        """Focus a field at once (not after the next refresh): keys typed in the same burst must land in it."""
        widget = self.query_one(f"#{field_id}")
        self.set_focus(widget.input if isinstance(widget, ActorField) else widget)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.next_field()

    @on(ActorField.Accepted)
    @on(DigitChoice.Picked)
    @on(GradeField.Graded)
    def _field_done(self, event: Any) -> None:
        event.stop()
        self.next_field()  # at once: the next key of a burst belongs to the next field

    def action_next_field(self) -> None:
        self.next_field()

    # ------------------------------------------------------------ answering

    def action_save(self) -> None:
        self.save()

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from tui.dialogs.confirm import ConfirmDialog

        def answered(drop: bool | None) -> None:
            if drop:
                self.dropped()
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Drop what you typed in this form?", yes="Drop it", no="Keep editing"), answered)

    def dropped(self) -> None:
        """The analyst chose to drop what was typed (a form keeping a draft forgets it here)."""
