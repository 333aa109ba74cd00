"""One analyst's session: every change to the database, named for what the analyst means to do.

Screens and commands never write the database themselves: they ask the session
to add a claim, tag an actor, grade, mark a paragraph, merge two actors, undo…
Each method checks the database's rules, builds the documents, writes them with
`Database.commit` (durable on disk when it returns), records the change for undo
and returns `Saved(change, value)`. Every failure is a `StoreError`:

* `ConflictError` — someone else changed or deleted what the change was based on
  (each method takes the annotation or actor as the analyst last saw it). Nothing
  was written; `keep_mine(error)` writes this change over theirs, or the caller
  takes theirs by re-reading.
* `IntegrityError` — a rule refuses it: an actor still named elsewhere cannot be
  deleted, the same span cannot be tagged twice with the same actor, affiliations
  cannot go round in a circle. `existing_id` points to the annotation already there.
* `StaleUndo` — an undo or redo whose target someone else has changed since.
* anything else (`WriteError`, `LockTimeout`, `ReadOnlyError`): nothing was written;
  the same call can be tried again.

Plain Python: no Textual, so the CLI, the TUI and the tests share it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from store.db import UNCHECKED, AddResult, Change, Database, Edit, Plan, clean_actor, clean_annotation, place_of
from store.errors import ConflictError, IntegrityError, NotFound, StaleUndo, StoreError
from store.history import History
from store.model import (
    ACTOR_TYPES,
    CLAIM_TYPES,
    RELATIONS,
    Actor,
    ActorChoice,
    Annotation,
    Claim,
    Credibility,
    Kind,
    Link,
    Mark,
    NewActor,
    Report,
    Span,
    actor_refs,
    new_id,
    now_iso,
)
from store.text import clean_line, clean_text, counted

if TYPE_CHECKING:
    from store.adjudication import Case
    from store.reanchor import Reanchoring
# store.adjudication (and store.agreement under it) is imported by the adjudication intents when they run:
# opening a report must not pay some 15 ms for them.

T = TypeVar("T")

# What one field may hold (documented in docs/security.md; imports apply the same limits).
MAX_NAME = 1_000  # an actor's name or alias, a claim type, a flag reason
MAX_TEXT = 100_000  # a claim's text, a note

ROLE_NAMES = {"mention": "mention", "claimant": "claimant", "reported_by": "reported-by"}


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What a session call wrote (`change`, for undo and for redrawing) and the thing it made or changed."""

    change: Change
    value: T

    def annotations(self) -> list[Annotation]:
        return [Annotation.from_dict(e.after) for e in self.change.edits if e.entity == "annotation" and e.after]


class Session:
    def __init__(self, db: Database, history_limit: int = 1000) -> None:
        self.db = db
        self.history = History(history_limit)

    @property
    def reviewer(self) -> str:
        return self.db.reviewer

    # ------------------------------------------------------------- plumbing

    def _write(self, description: str, plans: list[Plan], value: Callable[[tuple[Edit, ...]], T], record: bool = True) -> Saved[T]:
        try:
            edits = self.db.commit(plans)
        except ConflictError as error:
            replanned = _over_theirs(plans, error)
            error.retry = lambda: self._write(description, replanned, value, record)
            raise
        change = Change(description, edits)
        if record:
            self.history.record(change)
        return Saved(change, value(edits))

    def keep_mine(self, conflict: ConflictError) -> Saved[Any]:
        """Write the change a ConflictError refused over what is stored now (the analyst chose "keep mine")."""
        retry = conflict.retry
        if not callable(retry):
            raise StoreError("that change cannot be retried")
        result = retry()
        assert isinstance(result, Saved)
        return result

    @staticmethod
    def _limit(what: str, value: str, limit: int) -> str:
        if len(value) > limit:
            raise IntegrityError(f"{what} is {len(value):,} characters long; the limit is {limit:,}")
        return value

    def _stamp(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "updated_by": self.reviewer, "updated_at": now_iso()}

    def _actor_plans(self, *choices: ActorChoice | None) -> tuple[list[Plan], list[str | None]]:
        """Plans creating the NewActors among `choices`, and the actor id each choice names."""
        plans: list[Plan] = []
        ids: list[str | None] = []
        made: dict[tuple[str, str], str] = {}
        for choice in choices:
            if isinstance(choice, NewActor):
                key = (clean_line(choice.name).casefold(), choice.type)
                if key not in made:
                    actor = self._new_actor(choice.name, choice.type)
                    plans.append(Plan("actor", actor.id, None, actor.to_dict(), base=None))
                    made[key] = actor.id
                ids.append(made[key])
            else:
                ids.append(choice)
        return plans, ids

    def _new_actor(self, name: str, actor_type: str, **fields: Any) -> Actor:
        if actor_type not in ACTOR_TYPES:
            raise IntegrityError(f"{actor_type!r} is not an actor type ({', '.join(ACTOR_TYPES)})")
        self._check_actor_fields(name, fields.get("aliases", ()), fields.get("note", ""))
        now = now_iso()
        actor = Actor(id=new_id(), name=name, type=actor_type, reviewer=self.reviewer, **fields)
        return clean_actor(actor).evolve(created_at=now, updated_at=now, updated_by=self.reviewer)

    # ---------------------------------------------------------- annotations

    def add_claim(
        self,
        report: Report,
        paragraph_number: int,
        span: Span | None,
        text: str,
        claim_type: str = "other",
        claimant: ActorChoice | None = None,
        reported_by: ActorChoice | None = None,
        note: str = "",
        credibility: Credibility | None = None,
    ) -> Saved[Annotation]:
        """A new claim on a span (or the whole paragraph), creating the actors it names if asked to."""
        text = self._limit("the claim's text", " ".join(clean_text(text).split()), MAX_TEXT)
        self._limit("the note", note, MAX_TEXT)
        if not text:
            raise IntegrityError("a claim needs its text")
        actor_plans, (claimant_id, reported_by_id) = self._actor_plans(claimant, reported_by)
        now = now_iso()
        annotation = clean_annotation(
            Annotation(
                id=new_id(),
                kind=Kind.CLAIM,
                report_id=report.id,
                revision=report.revision,
                paragraph=paragraph_number,
                span=span,
                claim=Claim(text, _claim_type(claim_type), claimant_id, reported_by_id),
                credibility=credibility if credibility and credibility.is_set else None,
                note=note.strip(),
                reviewer=self.reviewer,
                created_at=now,
                updated_at=now,
                updated_by=self.reviewer,
            )
        )
        self._refuse_duplicate(annotation)
        plan = Plan("annotation", annotation.id, report.id, annotation.to_dict(), base=None)
        return self._write("added claim", [*actor_plans, plan], _the_annotation(annotation.id))

    def add_mention(self, report: Report, paragraph_number: int, span: Span | None, actor: ActorChoice) -> Saved[Annotation]:
        """A new actor mention; refused when this analyst already tagged the same span with the same actor."""
        actor_plans, (actor_id,) = self._actor_plans(actor)
        annotation = self._new_mention(report, paragraph_number, span, actor_id, now_iso())
        self._refuse_duplicate(annotation)
        plan = Plan("annotation", annotation.id, report.id, annotation.to_dict(), base=None)
        return self._write("added actor mention", [*actor_plans, plan], _the_annotation(annotation.id))

    def _new_mention(self, report: Report, paragraph_number: int, span: Span | None, actor_id: str | None, now: str) -> Annotation:
        return Annotation(
            id=new_id(), kind=Kind.ACTOR, report_id=report.id, revision=report.revision, paragraph=paragraph_number, span=span,
            actor_id=actor_id, reviewer=self.reviewer, created_at=now, updated_at=now, updated_by=self.reviewer,
        )

    def add_mentions(self, report: Report, mentions: Iterable[tuple[int, Span, str]]) -> Saved[list[Annotation]]:
        """Several actor mentions — (paragraph number, span, actor id) — in one step, undone as one.

        Accepting every registry suggestion of a paragraph or a report. A span this
        analyst already tagged with that actor is skipped (not refused: the others
        still go in); nothing to add is an IntegrityError.
        """
        now = now_iso()
        plans: list[Plan] = []
        seen: set[tuple[int, int, int, str]] = set()
        existing: dict[int, set[tuple[tuple[int, int] | None, tuple[Any, ...]]]] = {}
        for paragraph_number, span, actor_id in mentions:
            key = (paragraph_number, span.start, span.end, actor_id)
            if key in seen:
                continue
            seen.add(key)
            if paragraph_number not in existing:
                existing[paragraph_number] = {
                    (place_of(old), _subject(old))
                    for old in self.db.paragraph_annotations(report.id, paragraph_number)
                    if old.kind is Kind.ACTOR and old.reviewer == self.reviewer and old.revision == report.revision
                }
            annotation = self._new_mention(report, paragraph_number, span, actor_id, now)
            if (place_of(annotation), _subject(annotation)) in existing[paragraph_number]:
                continue
            plans.append(Plan("annotation", annotation.id, report.id, annotation.to_dict(), base=None))
        if not plans:
            raise IntegrityError("already tagged: every one of those spans has that actor already; nothing added")
        count = len(plans)
        return self._write(
            f"added {count} actor mention{'s' if count != 1 else ''}",
            plans,
            lambda edits: [Annotation.from_dict(e.after) for e in edits if e.entity == "annotation" and e.after],
        )

    def _refuse_duplicate(self, new: Annotation) -> None:
        for old in self.db.annotations_at(new.report_id, new.paragraph, place_of(new)):
            if old.kind is new.kind and old.reviewer == new.reviewer and old.revision == new.revision and _subject(old) == _subject(new):
                what = "actor" if new.kind is Kind.ACTOR else "claim"
                raise IntegrityError(f"already tagged: this span has that {what} already (¶{new.paragraph}); nothing added", old.id)

    def edit_claim(
        self,
        annotation: Annotation,
        text: str,
        claim_type: str,
        claimant: ActorChoice | None,
        reported_by: ActorChoice | None,
        note: str,
        credibility: Credibility | Any | None = UNCHECKED,
    ) -> Saved[Annotation]:
        """Change a claim as the analyst saw it (`annotation`); a conflict if someone changed it since."""
        text = self._limit("the claim's text", " ".join(clean_text(text).split()), MAX_TEXT)
        self._limit("the note", note, MAX_TEXT)
        if not text:
            raise IntegrityError("a claim needs its text")
        actor_plans, (claimant_id, reported_by_id) = self._actor_plans(claimant, reported_by)
        changes: dict[str, Any] = {"claim": Claim(text, _claim_type(claim_type), claimant_id, reported_by_id), "note": note.strip()}
        if credibility is not UNCHECKED:
            changes["credibility"] = credibility if credibility and credibility.is_set else None
        return self._change_annotation(annotation, "edited claim", actor_plans, **changes)

    def change_mention(self, annotation: Annotation, actor: ActorChoice) -> Saved[Annotation]:
        actor_plans, (actor_id,) = self._actor_plans(actor)
        return self._change_annotation(annotation, "changed the actor of a mention", actor_plans, actor_id=actor_id)

    def grade(self, annotation: Annotation, credibility: Credibility | None) -> Saved[Annotation]:
        """Set (or clear, with None or an empty grade) an annotation's Admiralty code."""
        value = credibility if credibility is not None and credibility.is_set else None
        what = f"graded {value.code}" if value else "cleared the grade"
        return self._change_annotation(annotation, what, [], credibility=value)

    def set_note(self, annotation: Annotation, note: str) -> Saved[Annotation]:
        self._limit("the note", note, MAX_TEXT)
        return self._change_annotation(annotation, "edited the note", [], note=note.strip())

    def _change_annotation(self, annotation: Annotation, description: str, extra: list[Plan], **changes: Any) -> Saved[Annotation]:
        edited = clean_annotation(annotation.evolve(**changes, updated_at=now_iso(), updated_by=self.reviewer))
        plan = Plan("annotation", annotation.id, annotation.report_id, edited.to_dict(), base=annotation.to_dict())
        return self._write(description, [*extra, plan], _the_annotation(annotation.id))

    def delete_annotation(self, annotation: Annotation) -> Saved[None]:
        """Delete an annotation, and the links that start or end at it (one step: undo brings both back)."""
        plans = [Plan("link", link.id, None, None, base=link.to_dict()) for link in self.db.links_of(annotation.id)]
        plans.append(Plan("annotation", annotation.id, annotation.report_id, None, base=annotation.to_dict()))
        what = "claim" if annotation.kind is Kind.CLAIM else "actor mention"  # the mention goes, never the actor
        return self._write(f"deleted {what}", plans, lambda _edits: None)

    # ---------------------------------------------------------------- links

    def link(self, source: Annotation, target: Annotation, relation: str, note: str = "") -> Saved[Link]:
        """Say that claim `source` corroborates, contradicts, repeats or updates claim `target`."""
        if relation not in RELATIONS:
            raise IntegrityError(f"{relation!r} is not a relation between claims ({', '.join(RELATIONS)})")
        if source.kind is not Kind.CLAIM or target.kind is not Kind.CLAIM:
            raise IntegrityError("only claims are linked (an actor mention is not a claim)")
        if source.id == target.id:
            raise IntegrityError("a claim cannot be linked to itself")
        for existing in self.db.links_of(source.id):
            if existing.touches(target.id) and existing.relation == relation and existing.reviewer == self.reviewer:
                raise IntegrityError(f"already linked: these two claims are linked as {relation} already; nothing added", existing.id)
        now = now_iso()
        link = Link(
            id=new_id(), from_report=source.report_id, from_claim=source.id, to_report=target.report_id, to_claim=target.id,
            relation=relation, note=self._limit("the note", clean_text(note).strip(), MAX_TEXT), reviewer=self.reviewer,
            created_at=now, updated_at=now, updated_by=self.reviewer,
        )
        for end in (source, target):  # both claims must still be there as the analyst saw them
            self._still_there(end)
        plan = Plan("link", link.id, None, link.to_dict(), base=None)
        return self._write(f"linked two claims ({relation})", [plan], _the_link(link.id))

    def edit_link(self, link: Link, relation: str, note: str) -> Saved[Link]:
        if relation not in RELATIONS:
            raise IntegrityError(f"{relation!r} is not a relation between claims ({', '.join(RELATIONS)})")
        edited = link.evolve(relation=relation, note=self._limit("the note", clean_text(note).strip(), MAX_TEXT),
                             updated_at=now_iso(), updated_by=self.reviewer)
        plan = Plan("link", link.id, None, edited.to_dict(), base=link.to_dict())
        return self._write(f"edited a link ({relation})", [plan], _the_link(link.id))

    def unlink(self, link: Link) -> Saved[None]:
        plan = Plan("link", link.id, None, None, base=link.to_dict())
        return self._write(f"removed a link ({link.relation})", [plan], lambda _edits: None)

    def _still_there(self, annotation: Annotation) -> None:
        if self.db.stored_annotation(annotation.report_id, annotation.id) is None:
            raise ConflictError(
                "that claim was deleted by someone else since you opened it; nothing was saved",
                [("annotation", annotation.id, annotation.to_dict(), None)],
            )

    # ------------------------------------------------------ paragraph marks

    def set_reviewed(self, report_id: str, paragraph_number: int, reviewed: bool) -> Saved[Mark | None]:
        """Mark a paragraph reviewed (or not). A flag on it stays."""
        return self._mark(report_id, paragraph_number, "reviewed" if reviewed else "not reviewed", reviewed=reviewed)

    def set_flagged(self, report_id: str, paragraph_number: int, flagged: bool, reason: str = "") -> Saved[Mark | None]:
        """Flag a paragraph with an optional reason (or take the flag off). Reviewed stays."""
        fields: dict[str, Any] = {"flagged": flagged}
        if flagged:
            fields["flag_reason"] = self._limit("the reason", clean_line(reason), MAX_NAME)
        return self._mark(report_id, paragraph_number, "flagged" if flagged else "unflagged", **fields)

    def _mark(self, report_id: str, paragraph_number: int, what: str, **fields: Any) -> Saved[Mark | None]:
        reviewer, now = self.reviewer, now_iso()

        def mark(stored: dict[str, Any] | None) -> dict[str, Any] | None:
            current = Mark.from_dict(stored) if stored else Mark(paragraph_number)
            changed = current.evolve(**fields, updated_by=reviewer, updated_at=now)
            if "reviewed" in fields:
                on = bool(fields["reviewed"])
                changed = changed.evolve(reviewed_by=reviewer if on else "", reviewed_at=now if on else "")
                changed = changed.evolve(changed_since_review=False)
            if "flagged" in fields:
                on = bool(fields["flagged"])
                changed = changed.evolve(flagged_by=reviewer if on else "", flagged_at=now if on else "")
                if not on:
                    changed = changed.evolve(flag_reason="")
            return None if changed.is_blank else changed.to_dict()

        # A mark says what this analyst sets (reviewed / flagged), whatever else is there: never a conflict.
        plan = Plan("mark", str(paragraph_number), report_id, mark)

        def value(edits: tuple[Edit, ...]) -> Mark | None:
            after = edits[-1].after
            return Mark.from_dict(after) if after else None

        return self._write(f"marked ¶{paragraph_number} {what}", [plan], value)

    # ---------------------------------------------------------------- actors

    def create_actor(
        self,
        name: str,
        actor_type: str = "other",
        aliases: Iterable[str] = (),
        affiliation: ActorChoice | None = None,
        note: str = "",
    ) -> Saved[Actor]:
        """A new actor (and its affiliation too, when that is a NewActor), in one step."""
        plans, (affiliation_id,) = self._actor_plans(affiliation)
        actor = self._new_actor(name, actor_type, aliases=tuple(aliases), affiliation=affiliation_id, note=note)
        self._refuse_cycle(actor)
        plans.append(Plan("actor", actor.id, None, actor.to_dict(), base=None))
        return self._write(f"added actor {actor.name}", plans, _the_actor(actor.id))

    def edit_actor(
        self,
        actor: Actor,
        name: str,
        actor_type: str,
        aliases: Iterable[str],
        affiliation: ActorChoice | None,
        note: str,
    ) -> Saved[Actor]:
        """Change an actor as the analyst saw it (`actor`); a conflict if someone changed it since."""
        if actor_type not in ACTOR_TYPES:
            raise IntegrityError(f"{actor_type!r} is not an actor type ({', '.join(ACTOR_TYPES)})")
        self._check_actor_fields(name, aliases, note)
        plans, (affiliation_id,) = self._actor_plans(affiliation)
        edited = actor.evolve(name=name, type=actor_type, aliases=tuple(aliases), affiliation=affiliation_id, note=note)
        edited = clean_actor(edited).evolve(updated_at=now_iso(), updated_by=self.reviewer)
        self._refuse_cycle(edited)
        plans.append(Plan("actor", actor.id, None, edited.to_dict(), base=actor.to_dict()))
        return self._write(f"edited actor {edited.name}", plans, _the_actor(actor.id))

    def _check_actor_fields(self, name: str, aliases: Iterable[str], note: str) -> None:
        self._limit("the actor's name", name, MAX_NAME)
        for alias in aliases:
            self._limit("an alias", alias, MAX_NAME)
        self._limit("the actor's note", note, MAX_TEXT)

    def _refuse_cycle(self, actor: Actor, extra: dict[str, str | None] | None = None) -> None:
        """An actor may not be its own affiliation, directly or through others."""
        patrons = {a.id: a.affiliation for a in self.db.actors()}
        patrons[actor.id] = actor.affiliation
        patrons.update(extra or {})
        seen = {actor.id}
        current = actor.affiliation
        while current is not None:
            if current in seen:
                raise IntegrityError(f"“{actor.name}” cannot be affiliated with that actor: the affiliations would go round in a circle")
            seen.add(current)
            current = patrons.get(current)

    def references(self, actor: Actor) -> tuple[list[tuple[Annotation, str]], list[Actor]]:
        """What names an actor: (annotation, role) for every annotation, and the actors affiliated with it."""
        named = [
            (annotation, role)
            for annotation in self.db.iter_annotations()
            for role, actor_id in annotation.actor_refs()
            if actor_id == actor.id
        ]
        affiliated = [a for a in self.db.actors() if a.affiliation == actor.id and a.id != actor.id]
        return named, affiliated

    def delete_actor(self, actor: Actor) -> Saved[None]:
        """Delete an actor nothing names; otherwise refused, saying what names it (merge it instead)."""
        named, affiliated = self.references(actor)
        if named or affiliated:
            why = describe_references(named, affiliated)
            raise IntegrityError(f"“{actor.name}” {why}: it cannot be deleted — merge it into another actor instead (m)")
        plan = Plan("actor", actor.id, None, None, base=actor.to_dict())
        return self._write(f"deleted actor {actor.name}", [plan], lambda _edits: None)

    def merge_actors(self, survivor: Actor, loser: Actor) -> Saved[Actor]:
        """Fold `loser` into `survivor`: mentions, claims and affiliations follow; its names become aliases.

        `survivor` and `loser` are as the analyst saw them (a conflict if either changed since).
        The annotations are re-read now; if one changes while the merge is written, it is read
        again once more before giving up.
        """
        if survivor.id == loser.id:
            raise IntegrityError("cannot merge an actor with itself")
        for attempt in (1, 2):
            plans = self._merge_plans(survivor, loser)
            try:
                return self._write(f"merged {loser.name} into {survivor.name}", plans, _the_actor(survivor.id))
            except ConflictError as error:
                if attempt == 2 or any(entity == "actor" and key in (survivor.id, loser.id) for entity, key, _m, _t in error.conflicts):
                    raise
        raise AssertionError("unreachable")

    def _merge_plans(self, survivor: Actor, loser: Actor) -> list[Plan]:
        plans: list[Plan] = []
        for report in self.db.reports():
            for annotation in self.db.annotations(report.id, keep=False):
                moved = repoint(annotation, loser.id, survivor.id)
                if moved is not annotation:
                    moved = moved.evolve(updated_at=now_iso(), updated_by=self.reviewer)
                    plans.append(Plan("annotation", annotation.id, report.id, moved.to_dict(), base=annotation.to_dict()))
        patrons: dict[str, str | None] = {}
        for actor in self.db.actors():
            if actor.affiliation == loser.id and actor.id not in (loser.id, survivor.id):
                follower = actor.evolve(affiliation=survivor.id, updated_at=now_iso(), updated_by=self.reviewer)
                plans.append(Plan("actor", actor.id, None, follower.to_dict(), base=actor.to_dict()))
                patrons[actor.id] = survivor.id
        inherited = survivor.affiliation or loser.affiliation
        merged = survivor.evolve(
            aliases=tuple(dict.fromkeys([*survivor.aliases, *loser.names])),
            note="\n".join(n for n in (survivor.note, loser.note) if n),
            affiliation=inherited if inherited not in (loser.id, survivor.id) else None,
            updated_at=now_iso(),
            updated_by=self.reviewer,
        )
        patrons[loser.id] = None
        self._refuse_cycle(merged, patrons)
        plans.append(Plan("actor", survivor.id, None, clean_actor(merged).to_dict(), base=survivor.to_dict()))
        plans.append(Plan("actor", loser.id, None, None, base=loser.to_dict()))
        return plans

    # ---------------------------------------------------------- adjudication
    # The adjudicated layer (store/adjudication.py, docs/adjudication.md). Each call settles one case (or,
    # accept_agreed, every agreed one) in one step: its decision and, unless it is a rejection, the
    # adjudicated annotation (reviewer "adjudicated", with provenance). The case is as the adjudicator saw
    # it: if a reviewer changed one of its annotations since, or another adjudicator decided it, nothing is
    # written (ConflictError; keep_mine decides on what was seen).

    def adjudicate(self, case: Case, chosen: Annotation) -> Saved[Annotation | None]:
        """Take one reviewer's version (`chosen`, one of the case's annotations) into the adjudicated layer."""
        from store.adjudication import ACCEPTED, TOOK
        from store.agreement import reviewer_name

        if all(a.id != chosen.id for a in case.sources):
            raise IntegrityError("that annotation is not one of this place's; nothing was saved")
        how = ACCEPTED if case.agreed else TOOK
        who = reviewer_name(chosen.reviewer)
        return self._decide([(case, how, chosen, who)], f"adjudicated ¶{case.paragraph}: took {who}'s {_kind_word(case.kind)}", [])

    def adjudicate_edit(
        self,
        case: Case,
        base: Annotation,
        *,
        text: str | Any = UNCHECKED,
        claim_type: str | Any = UNCHECKED,
        claimant: ActorChoice | Any | None = UNCHECKED,
        reported_by: ActorChoice | Any | None = UNCHECKED,
        note: str | Any = UNCHECKED,
        credibility: Credibility | Any | None = UNCHECKED,
        actor: ActorChoice | Any = UNCHECKED,
    ) -> Saved[Annotation | None]:
        """A new version into the layer: `base` (a reviewer's version, or the layer's) with the given fields changed.

        Its span is the base's. Actors named as NewActor are created in the same step.
        """
        from store.adjudication import ADJUDICATED, EDITED
        from store.agreement import reviewer_name

        if base.id != case.annotation_id and all(a.id != base.id for a in case.sources):
            raise IntegrityError("that annotation is not one of this place's; nothing was saved")
        actor_plans, (claimant_id, reported_by_id, actor_id) = self._actor_plans(
            *(None if value is UNCHECKED else value for value in (claimant, reported_by, actor))
        )
        changes: dict[str, Any] = {}
        if base.kind is Kind.CLAIM:
            old = base.claim or Claim("")
            new_text = old.text if text is UNCHECKED else " ".join(clean_text(text).split())
            self._limit("the claim's text", new_text, MAX_TEXT)
            if not new_text:
                raise IntegrityError("a claim needs its text")
            changes["claim"] = Claim(
                new_text,
                old.type if claim_type is UNCHECKED else _claim_type(claim_type),
                old.claimant if claimant is UNCHECKED else claimant_id,
                old.reported_by if reported_by is UNCHECKED else reported_by_id,
            )
        elif actor is not UNCHECKED:
            changes["actor_id"] = actor_id
        if note is not UNCHECKED:
            changes["note"] = self._limit("the note", note, MAX_TEXT).strip()
        if credibility is not UNCHECKED:
            changes["credibility"] = credibility if credibility and credibility.is_set else None
        version = base.evolve(**changes)
        who: str | None = reviewer_name(base.reviewer)
        if who == ADJUDICATED:  # a change to the layer's own version: it is still based on what it was based on
            who = case.decision.based_on if case.decision else None
        return self._decide([(case, EDITED, version, who)], f"adjudicated ¶{case.paragraph}: edited a {_kind_word(case.kind)}", actor_plans)

    def reject(self, case: Case) -> Saved[Annotation | None]:
        """Nothing of this place goes into the layer (its adjudicated annotation, if any, is deleted); recorded as decided."""
        from store.adjudication import REJECTED

        return self._decide([(case, REJECTED, None, None)], f"adjudicated ¶{case.paragraph}: rejected a {_kind_word(case.kind)}", [])

    def accept_agreed(self, cases: Sequence[Case]) -> Saved[list[Annotation]]:
        """Every agreed case not decided yet, each as its first reviewer's version, in one step (what opening pre-accepts)."""
        from store.adjudication import ACCEPTED
        from store.agreement import reviewer_name

        chosen: list[tuple[Case, str, Annotation | None, str | None]] = [
            (case, ACCEPTED, case.sources[0], reviewer_name(case.sources[0].reviewer))
                  for case in cases if case.agreed and case.decision is None and case.adjudicated is None]
        if not chosen:
            raise IntegrityError("no agreed place is waiting to be accepted")
        count = len(chosen)
        saved = self._decide(chosen, f"pre-accepted {count} agreed annotation{'s' if count != 1 else ''}", [], many=True)
        return Saved(saved.change, saved.annotations())

    def _decide(
        self,
        decided: list[tuple[Case, str, Annotation | None, str | None]],
        description: str,
        actor_plans: list[Plan],
        many: bool = False,
    ) -> Saved[Annotation | None]:
        """The plans of each (case, decision, version, based on) — decision first, then the annotation — checked and written."""
        from store.adjudication import ADJUDICATED, REJECTED, Decision, Source
        from store.agreement import reviewer_name

        now = now_iso()
        plans = list(actor_plans)
        for case, how, version, based_on in decided:
            decision = Decision(
                id=case.decision_id, report_id=case.report_id, revision=case.revision, paragraph=case.paragraph,
                kind=case.kind, decision=how,
                sources=tuple(Source(a.id, reviewer_name(a.reviewer), a.rev) for a in case.sources),
                annotation=None if how == REJECTED else case.annotation_id, based_on=based_on,
                adjudicated_by=self.reviewer, adjudicated_at=now, updated_by=self.reviewer, updated_at=now,
                rev=case.decision.rev if case.decision else 0,
            )
            plans.append(Plan("decision", decision.id, case.report_id, decision.to_dict(),
                              base=case.decision.to_dict() if case.decision else None))
            seen = case.adjudicated.to_dict() if case.adjudicated else None
            if version is None:
                if case.adjudicated is not None:
                    plans += [Plan("link", link.id, None, None, base=link.to_dict()) for link in self.db.links_of(case.adjudicated.id)]
                    plans.append(Plan("annotation", case.adjudicated.id, case.report_id, None, base=seen))
                continue
            made = clean_annotation(version.evolve(
                id=case.annotation_id, report_id=case.report_id, revision=case.revision, paragraph=case.paragraph,
                reviewer=ADJUDICATED, created_at=case.adjudicated.created_at if case.adjudicated else now,
                updated_at=now, updated_by=self.reviewer, rev=case.adjudicated.rev if case.adjudicated else 0,
                provenance=decision.provenance(),
            ))
            plans.append(Plan("annotation", made.id, case.report_id, made.to_dict(), base=seen))

        def value(edits: tuple[Edit, ...]) -> Annotation | None:
            made = [e.after for e in edits if e.entity == "annotation" and e.after]
            return Annotation.from_dict(made[0]) if made else None

        conflicts = self._changed_sources([case for case, *_ in decided], many)
        if conflicts:
            error = ConflictError(_sources_message(conflicts), conflicts)
            error.retry = lambda: self._write(description, plans, value)
            raise error
        return self._write(description, plans, value)

    def _changed_sources(self, cases: list[Case], many: bool) -> list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]:
        """The reviewers' annotations of these cases that someone changed or deleted since the adjudicator read them."""
        conflicts: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]] = []
        stored: dict[str, Annotation] = {}
        if many:
            for report_id in {case.report_id for case in cases}:
                stored.update((a.id, a) for a in self.db.annotations(report_id))
        for case in cases:
            if not many:
                stored = {a.id: a for a in self.db.paragraph_annotations(case.report_id, case.paragraph)}
            for seen in case.sources:
                now = stored.get(seen.id)
                if now is None or now.rev != seen.rev:
                    conflicts.append(("annotation", seen.id, seen.to_dict(), now.to_dict() if now else None))
        return conflicts

    # ------------------------------------------------------------ assignment

    def assign(self, reports: Sequence[Report], names: Sequence[str], unassign: bool = False) -> Saved[list[Report]]:
        """Add `names` to each report's assignees (or, with `unassign`, take them off; no names: everyone).

        Like a mark, it sets what it says whatever else the entry holds: never a conflict.
        """
        wanted = list(dict.fromkeys(self._limit("a reviewer's name", clean_line(n), MAX_NAME) for n in names))
        wanted = [n for n in wanted if n]
        if not unassign and not wanted:
            raise IntegrityError("assign to whom? give a reviewer's name")
        stamp = now_iso()

        def change(stored: dict[str, Any] | None) -> dict[str, Any] | None:
            if stored is None:
                return None
            current = list(Report.from_dict(stored).assignees)
            if unassign:
                after = [n for n in current if wanted and n not in wanted]
            else:
                after = list(dict.fromkeys([*current, *wanted]))
            doc = {k: v for k, v in stored.items() if k != "assignees"}
            if after:
                doc["assignees"] = after
            return {**doc, "updated_by": self.reviewer, "updated_at": stamp}

        plans = [Plan("report", report.id, None, change) for report in dict((r.id, r) for r in reports).values()]
        who = ", ".join(wanted) or "everyone"
        what = f"unassigned {who} from" if unassign else f"assigned {who} to"
        count = len(plans)
        return self._write(
            f"{what} {count} report{'s' if count != 1 else ''}", plans,
            lambda edits: [Report.from_dict(e.after) for e in edits if e.after],
        )

    # ------------------------------------------------------------ revisions

    def add_report(self, path: str | os.PathLike[str]) -> tuple[AddResult, Reanchoring | None]:
        """Add a report file; when it is a new revision, carry the report's annotations and marks to it.

        Returns what adding did, and the re-anchoring (None when there was nothing to carry).
        """
        result = self.db.add_report(path)
        if not result.new_revision:
            return result, None
        return result, self.carry_to_revision(result.report, result.previous_revision).value

    def refresh_from_source(self, report_id: str) -> tuple[AddResult, Reanchoring | None] | None:
        """If the file a report was added from has changed since, add it as a new revision (and carry
        the annotations over); None when it is unchanged, gone, or unreadable (the stored text stands)."""
        from pathlib import Path

        from store.errors import ClaimdeskError

        report = self.db.report(report_id)
        source = Path(report.source)
        if not report.source or not source.is_file():
            return None
        try:
            result, carried = self.add_report(source)
        except ClaimdeskError:
            return None
        if result.report.id != report_id or not result.new_revision:
            return None
        return result, carried

    def carry_to_revision(self, report: Report, previous_revision: str | None) -> Saved[Reanchoring | None]:
        """Move every annotation not on the report's current revision onto it (one undoable step).

        Each annotation is found again in the new text (store/reanchor.py): placed, it takes
        its new paragraph and offsets; not found with confidence, it is *orphaned* — it keeps
        its last known place and quote, flagged for a look, never hidden and never deleted.
        The paragraph marks of the previous revision follow their paragraphs; a reviewed
        paragraph whose text changed becomes "changed since review". Orphans of an earlier
        revision are tried again.
        """
        plans, outcome = self.db.plan_carry(report, previous_revision, self.reviewer)
        if outcome is None and not plans:
            return Saved(Change("nothing to carry"), None)
        return self._write(f"carried {report.id} to its new revision", plans, lambda _edits: outcome)

    def reattach(self, orphan: Annotation, report: Report, paragraph_number: int, span: Span | None) -> Saved[Annotation]:
        """Put an orphaned annotation on the current revision, where the analyst points."""
        moved = orphan.evolve(revision=report.revision, paragraph=paragraph_number, span=span, orphaned=None)
        return self._change_annotation(orphan, "re-attached an annotation", [], **{
            k: getattr(moved, k) for k in ("revision", "paragraph", "span", "orphaned")
        })

    # ---------------------------------------------------------- undo / redo

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    def undo(self) -> Change | None:
        """Revert the last change (None when there is nothing to undo). StaleUndo if someone changed it since."""
        change = self.history.last_done()
        if change is None:
            return None
        written = self._revert(change, "undo")
        self.history.undone(written)
        return change

    def redo(self) -> Change | None:
        change = self.history.last_undone()
        if change is None:
            return None
        written = self._revert(change, "redo")
        self.history.redone(written)
        return Change(change.description, written.edits)

    def _revert(self, change: Change, verb: str) -> Change:
        plans = [
            Plan(e.entity, e.key, e.report_id, self._stamp(e.before) if e.before else None, base=e.after, by_content=True)
            for e in reversed(change.edits)
        ]
        self._refuse_broken_rules(plans, f"cannot {verb} “{change.description}”")
        try:
            edits = self.db.commit(plans)
        except ConflictError as error:
            _entity, _key, _mine, theirs = error.conflicts[0]
            who = (theirs or {}).get("updated_by") or "someone else" if theirs else "someone"
            what = "deleted" if theirs is None else "changed"
            raise StaleUndo(f"cannot {verb} “{change.description}”: {who} has {what} it since; nothing was changed") from None
        return Change(change.description, edits)

    def _refuse_broken_rules(self, plans: list[Plan], what: str) -> None:
        """An undo or redo is a change too: it may not delete an actor others have named since, nor close a circle."""
        removed = {p.key for p in plans if p.entity == "actor" and p.after is None}
        touched = {p.key for p in plans if p.entity == "annotation"}
        links_in_change = {p.key for p in plans if p.entity == "link"}
        for plan in plans:
            if plan.entity == "annotation" and plan.after is None:
                since = [link for link in self.db.links_of(plan.key) if link.id not in links_in_change]
                if since:
                    raise IntegrityError(f"{what}: that claim is linked to {counted(len(since), 'other claim')} now; nothing was changed")
        actor_plans = {p.key: p.after for p in plans if p.entity == "actor"}
        for actor_id in removed:
            actor = next((a for a in self.db.actors() if a.id == actor_id), None)
            if actor is None:
                continue
            named, affiliated = self.references(actor)
            named = [(a, role) for a, role in named if a.id not in touched]
            affiliated = [a for a in affiliated if a.id not in actor_plans]
            if named or affiliated:
                raise IntegrityError(f"{what}: “{actor.name}” {describe_references(named, affiliated)} now; nothing was changed")
        for after in actor_plans.values():
            if isinstance(after, dict) and after.get("affiliation"):
                patrons = {k: (v or {}).get("affiliation") if isinstance(v, dict) else None for k, v in actor_plans.items()}
                self._refuse_cycle(Actor.from_dict(after), patrons)

    # ----------------------------------------------------------------- reads

    def annotation(self, report_id: str, annotation_id: str) -> Annotation:
        return self.db.annotation(report_id, annotation_id)

    def actor(self, actor_id: str) -> Actor:
        return self.db.actor(actor_id)


def _over_theirs(plans: list[Plan], error: ConflictError) -> list[Plan]:
    """The same plans based on what is stored now, so the retry writes mine over theirs."""
    theirs = {(entity, key): stored for entity, key, _mine, stored in error.conflicts}
    return [
        Plan(p.entity, p.key, p.report_id, p.after, base=theirs[(p.entity, p.key)]) if (p.entity, p.key) in theirs else p
        for p in plans
    ]


def _written(entity: str, key: str, from_dict: Callable[[dict[str, Any]], T]) -> Callable[[tuple[Edit, ...]], T]:
    """What the write made of `entity` `key`, read back from its edits (the value an intent answers)."""

    def value(edits: tuple[Edit, ...]) -> T:
        for edit in edits:
            if edit.entity == entity and edit.key == key and edit.after:
                return from_dict(edit.after)
        raise NotFound(f"{entity} {key} was not written")

    return value


def _the_annotation(annotation_id: str) -> Callable[[tuple[Edit, ...]], Annotation]:
    return _written("annotation", annotation_id, Annotation.from_dict)


def _the_link(link_id: str) -> Callable[[tuple[Edit, ...]], Link]:
    return _written("link", link_id, Link.from_dict)


def _the_actor(actor_id: str) -> Callable[[tuple[Edit, ...]], Actor]:
    return _written("actor", actor_id, Actor.from_dict)


def _kind_word(kind: Kind) -> str:
    return "claim" if kind is Kind.CLAIM else "actor mention"


def _sources_message(conflicts: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]) -> str:
    _entity, _key, mine, theirs = conflicts[0]
    if theirs is None:
        who = (mine or {}).get("reviewer") or "someone"
        change = f"{who}'s annotation here was deleted"
    else:
        change = f"{theirs.get('updated_by') or theirs.get('reviewer') or 'someone'} changed an annotation here"
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return f"{change} since you opened the adjudication{more}; nothing was saved"


def _claim_type(value: str) -> str:
    value = clean_line(value)
    return value if value in CLAIM_TYPES else "other"


def _subject(annotation: Annotation) -> tuple[Any, ...]:
    if annotation.kind is Kind.ACTOR:
        return (annotation.actor_id,)
    claim = annotation.claim
    return (claim.text, claim.claimant) if claim else ()


def repoint(annotation: Annotation, old: str, new: str | None) -> Annotation:
    """The annotation with actor `old` replaced by `new`; the same object if it does not name `old`."""
    if not any(actor_id == old for _, actor_id in actor_refs(annotation.to_dict())):
        return annotation
    changes: dict[str, Any] = {}
    if annotation.actor_id == old:
        changes["actor_id"] = new
    claim = annotation.claim
    if claim and old in (claim.claimant, claim.reported_by):
        changes["claim"] = Claim(
            text=claim.text,
            type=claim.type,
            claimant=new if claim.claimant == old else claim.claimant,
            reported_by=new if claim.reported_by == old else claim.reported_by,
        )
    return annotation.evolve(**changes)


def describe_references(named: list[tuple[Annotation, str]], affiliated: list[Actor]) -> str:
    """“is named by 3 annotations (2 mentions, 1 claimant) and is the affiliation of “X”, “Y”” — what keeps an actor in use."""
    parts: list[str] = []
    if named:
        counts: dict[str, int] = {}
        for _annotation, role in named:
            counts[role] = counts.get(role, 0) + 1
        detail = ", ".join(f"{n} {ROLE_NAMES.get(role, role)}{'s' if n != 1 else ''}" for role, n in counts.items())
        parts.append(f"is named by {len(named)} annotation{'s' if len(named) != 1 else ''} ({detail})")
    if affiliated:
        names = ", ".join(f"“{a.name}”" for a in affiliated[:3]) + (f" and {len(affiliated) - 3} more" if len(affiliated) > 3 else "")
        parts.append(f"is the affiliation of {names}")
    return " and ".join(parts)


__all__ = ["ActorChoice", "NewActor", "Saved", "Session", "describe_references", "repoint"]
