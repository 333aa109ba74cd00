"""The claims ledger (store/ledger.py): rows, every filter, sorting, staying current, and link ranking.

Each test builds its database through the session, then reads the ledger as the
claims screen does (`build`, `mask`, `shown`) and checks which claims it shows.
Ranking is checked on the seed (every sentence a claim): the two "5,000
fighters" claims, and the Syrian Observatory against Orient News.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import Database
from store.ledger import Criteria, LedgerKeeper, Sort, build, fold, parse_query, words
from store.model import Credibility, NewActor, Paragraph, ParsedReport, Span
from store.session import Session
from tests.seed_claims import seed_with_claims


def add_report(db: Database, report_id: str, date: str | None, texts: list[str], title: str | None = None):
    parsed = ParsedReport(title or f"Report {report_id}", date, None, (), (), tuple(Paragraph(n, t) for n, t in enumerate(texts, 1)),
                          (), (), "text")
    return db.add_parsed(report_id, parsed, f"rev-{report_id}", f"{report_id}.txt").report


@pytest.fixture
def desk(tmp_path: Path):
    """Two reports, five claims, three actors, two reviewers."""
    db = Database(tmp_path / "db", reviewer="amira")
    old = add_report(db, "old", "2023-09-30", ["The militia said 5,000 fighters reached the border.",
                                               "Officials denied any reinforcements near Quneitrah."])
    new = add_report(db, "new", "2023-10-19", ["Orient News reported withdrawals from Dar'a.",
                                               "Al-Ka’abi announced numerous volunteers.",
                                               "A café in Zürich was hit."])
    session = Session(db)
    hizbullah = session.create_actor("Hizbullah", "armed_group", ("Hezbollah",)).value
    orient = session.create_actor("Orient News", "media").value
    c = {}
    c["fighters"] = session.add_claim(old, 1, None, "The militia said 5,000 fighters reached the border.", "figure",
                                      hizbullah.id, None, credibility=Credibility("B", 2)).value
    c["denied"] = session.add_claim(old, 2, None, "Officials denied any reinforcements near Quneitrah.", "statement",
                                    None, orient.id, credibility=Credibility("D", 4)).value
    c["withdrawals"] = session.add_claim(new, 1, None, "Orient News reported withdrawals from Dar'a.", "event",
                                         None, orient.id, credibility=Credibility("A", 1)).value
    bob = Session(Database(tmp_path / "db", reviewer="bob"))
    c["volunteers"] = bob.add_claim(new, 2, None, "Al-Ka’abi announced numerous volunteers.", "intent",
                                    NewActor("Akram Al-Ka'abi", "person")).value
    c["cafe"] = session.add_claim(new, 3, None, "A café in Zürich was hit.", "event").value
    session.add_mention(new, 3, Span.of("A café in Zürich was hit.", 0, 6), hizbullah.id)
    return db, session, c


READING_ORDER = Sort()


def shown_ids(ledger, query: str = "", sort: Sort = READING_ORDER) -> list[str]:
    criteria = parse_query(query)
    assert not criteria.problems, criteria.problems
    return [ledger.ids[row] for row in ledger.shown(ledger.mask(criteria), sort).rows()]


def names(desk_claims, ids: list[str]) -> list[str]:
    by_id = {claim.id: name for name, claim in desk_claims.items()}
    return [by_id[i] for i in ids]


class TestRows:
    def test_every_claim_newest_report_first_in_reading_order(self, desk) -> None:
        db, _session, c = desk
        ledger = build(db)
        assert len(ledger) == 5
        assert names(c, shown_ids(ledger)) == ["withdrawals", "volunteers", "cafe", "fighters", "denied"]

    def test_a_row_says_where_who_and_how_graded(self, desk) -> None:
        db, _session, c = desk
        ledger = build(db)
        row = ledger.row_of[c["denied"].id]
        assert (ledger.report_of(row).id, ledger.report_of(row).date, ledger.paragraph[row]) == ("old", "2023-09-30", 2)
        assert ledger.actor_name(ledger.reported_by[row]) == "Orient News" and ledger.actor_name(ledger.claimant[row]) == ""
        assert (ledger.type_name(row), ledger.grade_code(row), ledger.reviewers[ledger.reviewer[row]]) == ("statement", "D4", "amira")

    def test_the_first_reports_come_first_while_the_rest_is_read(self, desk) -> None:
        db, _session, c = desk
        previews = []
        ledger = build(db, first=previews.append, first_rows=2)
        [preview] = previews
        assert names(c, shown_ids(preview)) == ["withdrawals", "volunteers", "cafe"]  # the newest report alone
        assert len(ledger) == 5


class TestFilters:
    @pytest.mark.parametrize(("query", "expected"), [
        ("fighters", ["fighters"]),
        ("figh", ["fighters"]),  # a word begins a word of the claim
        ("figters", ["fighters"]),  # a typo
        ("5000", ["fighters"]),
        ("5,000", ["fighters"]),
        ("kaabi", ["volunteers"]),  # apostrophes go
        ("zurich cafe", ["cafe"]),  # accents go
        ("the border", ["fighters"]),  # "the" is in every claim: it filters nothing
        ("nothing-like-this", []),
    ])
    def test_words(self, desk, query, expected) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), query)) == expected

    @pytest.mark.parametrize(("query", "expected"), [
        ("actor:hizbullah", ["cafe", "fighters"]),  # mentioned in the café paragraph; claimant of the fighters
        ("actor:hezbollah", ["cafe", "fighters"]),  # by an alias
        ("claimant:hizbullah", ["fighters"]),
        ("mentions:hizbullah", ["cafe"]),
        ('outlet:"Orient News"', ["withdrawals", "denied"]),
        ("actor:hizb actor:orient", ["withdrawals", "cafe", "fighters", "denied"]),  # one field twice: any of them
        ("claimant:hizbullah outlet:orient", []),  # two fields: both
        ("actor:akram", ["volunteers"]),
    ])
    def test_actors(self, desk, query, expected) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), query)) == expected

    @pytest.mark.parametrize(("query", "expected"), [
        ("grade:B", ["withdrawals", "fighters"]),  # reliability A or B
        ("grade:2", ["withdrawals", "fighters"]),  # credibility 1 or 2
        ("grade:B1", ["withdrawals"]),
        ("grade:D4", ["withdrawals", "fighters", "denied"]),
        ("grade:f", ["withdrawals", "fighters", "denied"]),  # ungraded claims fail any threshold
    ])
    def test_grades(self, desk, query, expected) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), query)) == expected

    @pytest.mark.parametrize(("query", "expected"), [
        ("type:event", ["withdrawals", "cafe"]),
        ("type:fig", ["fighters"]),
        ("type:event type:intent", ["withdrawals", "volunteers", "cafe"]),
        ("report:old", ["fighters", "denied"]),
        ("report:ne", ["withdrawals", "volunteers", "cafe"]),  # an id prefix
        ("since:2023-10", ["withdrawals", "volunteers", "cafe"]),
        ("until:2023-09-30", ["fighters", "denied"]),
        ("since:2023 until:2023-09", ["fighters", "denied"]),
        ("reviewer:bob", ["volunteers"]),
        ("reviewer:AMIRA figh", ["fighters"]),
    ])
    def test_type_report_dates_reviewer(self, desk, query, expected) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), query)) == expected

    def test_linked_unlinked_and_disagreeing(self, desk) -> None:
        db, session, c = desk
        session.link(c["withdrawals"], c["denied"], "contradicts")  # two reports, both Orient News: not independent
        session.link(c["fighters"], c["cafe"], "corroborates")  # independent: another report, no shared source
        ledger = build(db)
        assert names(c, shown_ids(ledger, "is:linked")) == ["withdrawals", "cafe", "fighters", "denied"]
        assert names(c, shown_ids(ledger, "is:unlinked")) == ["volunteers"]
        # withdrawals: graded 1, nothing independent confirms it; fighters: graded 2, confirmed once (suggests 1)
        assert names(c, shown_ids(ledger, "is:disagreeing")) == ["withdrawals", "fighters"]

    def test_what_is_not_understood_is_said_and_ignored(self) -> None:
        criteria = parse_query('grade:Z9 type:poem since:yesterday is:maybe actor: "quoted words" 10:30 fighters')
        assert criteria.problems == (
            "grade:Z9 is not a grade (a letter A-F, a digit 1-6, or both, like B3)",
            "type:poem is not a claim type (event, capability, intent, statement, figure, other)",
            "since:yesterday is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "is:maybe: say is:linked, is:unlinked or is:disagreeing",
            "actor: needs a value",
        )
        assert criteria.words == ("quoted", "words", "10", "30", "fighters")
        assert criteria.min_reliability is None and not criteria.types

    def test_no_criterion_is_every_claim(self) -> None:
        assert parse_query("   ").is_empty and Criteria().is_empty

    def test_folding(self) -> None:
        assert fold("Al-Ka’abi in Zürich: 5,000") == "al-kaabi in zurich: 5000"
        assert words("The Sayyed Al-Shuhada") == ["the", "sayyed", "al", "shuhada"]


class TestSorting:
    @pytest.mark.parametrize(("sort", "expected"), [
        (Sort("date"), ["fighters", "denied", "withdrawals", "volunteers", "cafe"]),
        (Sort("date", True), ["withdrawals", "volunteers", "cafe", "fighters", "denied"]),
        (Sort("grade"), ["withdrawals", "fighters", "denied", "volunteers", "cafe"]),  # best first, ungraded last
        (Sort("claimant"), ["volunteers", "fighters", "withdrawals", "cafe", "denied"]),  # none last
        (Sort("reported_by", True), ["withdrawals", "denied", "volunteers", "cafe", "fighters"]),
        (Sort("type"), ["withdrawals", "cafe", "volunteers", "denied", "fighters"]),  # the type list's order
        (Sort("text"), ["cafe", "volunteers", "denied", "withdrawals", "fighters"]),
        (Sort("reviewer"), ["withdrawals", "cafe", "fighters", "denied", "volunteers"]),
        (Sort("report"), ["withdrawals", "volunteers", "cafe", "fighters", "denied"]),  # "Report new" < "Report old"
        (Sort("paragraph", True), ["denied", "fighters", "cafe", "volunteers", "withdrawals"]),
    ])
    def test_by_any_column(self, desk, sort, expected) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), sort=sort)) == expected

    def test_a_filter_keeps_the_sort(self, desk) -> None:
        db, _session, c = desk
        assert names(c, shown_ids(build(db), "type:event", Sort("text"))) == ["cafe", "withdrawals"]

    def test_links_sort_most_linked_first(self, desk) -> None:
        db, session, c = desk
        session.link(c["cafe"], c["fighters"], "corroborates")
        session.link(c["cafe"], c["denied"], "repeats")
        assert names(c, shown_ids(build(db), "is:linked", Sort("links", True))) == ["cafe", "fighters", "denied"]


class TestStayingCurrent:
    def test_the_sessions_changes_show_at_once(self, desk) -> None:
        db, session, c = desk
        keeper = LedgerKeeper(db)
        keeper.adopt(keeper.build())
        ledger = keeper.ledger
        assert ledger is not None
        graded = session.grade(c["cafe"], Credibility("A", 1))
        keeper.apply(graded.change)
        assert names(c, shown_ids(ledger, "grade:A1")) == ["withdrawals", "cafe"]
        edited = session.edit_claim(graded.value, "A bakery in Zürich was hit.", "event", None, None, "")
        keeper.apply(edited.change)
        assert shown_ids(ledger, "cafe") == [] and names(c, shown_ids(ledger, "bakery")) == ["cafe"]
        linked = session.link(c["fighters"], edited.value, "corroborates")
        keeper.apply(linked.change)
        assert names(c, shown_ids(ledger, "is:linked")) == ["cafe", "fighters"]
        keeper.apply(session.delete_annotation(edited.value).change)  # its link goes with it
        assert shown_ids(ledger, "bakery") == [] and shown_ids(ledger, "is:linked") == []
        undone = session.undo()
        assert undone is not None
        keeper.apply(undone.inverse())
        assert names(c, shown_ids(ledger, "is:linked")) == ["cafe", "fighters"]
        assert len(ledger) == 5

    def test_what_another_analyst_changed_is_read_again_report_by_report(self, desk, tmp_path) -> None:
        db, _session, c = desk
        keeper = LedgerKeeper(db)
        keeper.adopt(keeper.build())
        ledger = keeper.ledger
        assert ledger is not None and keeper.look().is_empty
        other = Session(Database(tmp_path / "db", reviewer="chen"))
        new = other.db.report("new")
        other.add_claim(new, 1, None, "Withdrawals were confirmed by a second source.", "event")
        other.add_mention(new, 1, Span.of("Orient News reported withdrawals from Dar'a.", 0, 11), NewActor("Dar'a council", "other"))
        other.delete_annotation(other.annotation("old", c["denied"].id))
        refresh = keeper.look()
        assert set(refresh.changed) == {"new", "old"} and refresh.actors is not None
        keeper.apply_refresh(refresh)
        assert len(ledger) == 5
        assert names(c, shown_ids(ledger, "reviewer:amira")) == ["withdrawals", "cafe", "fighters"]
        [second] = shown_ids(ledger, "second source")
        assert shown_ids(ledger, 'mentions:"dar\'a council"') == [c["withdrawals"].id, second]  # both in its paragraph
        assert keeper.look().is_empty


class TestRanking:
    @pytest.fixture
    def seed(self, tmp_path, seed_path):
        return seed_with_claims(tmp_path / "db", seed_path)

    def test_the_two_5000_fighters_claims_rank_first_for_each_other(self, seed) -> None:
        first, again = seed.claim(1, "5,000 fighters"), seed.claim(12, "5,000 fighters")
        ledger = build(seed.db)
        assert len(ledger) > 100
        for claim, other in ((first, again), (again, first)):
            best = ledger.rank(claim.id)[0]
            assert ledger.ids[best.row] == other.id
            assert "5000" in best.shared_words

    def test_the_observatory_and_orient_news_rank_first_for_each_other(self, seed) -> None:
        sohr = seed.attribute(seed.claim(36, "Syrian Observatory"), reported_by="Syrian Observatory for Human Rights")
        orient = seed.attribute(seed.claim(38, "Orient News"), reported_by="Orient News")
        ledger = build(seed.db)
        for claim, other in ((sohr, orient), (orient, sohr)):
            assert ledger.ids[ledger.rank(claim.id)[0].row] == other.id

    def test_ranking_leaves_the_claim_itself_out_and_can_be_narrowed(self, seed) -> None:
        first = seed.claim(1, "5,000 fighters")
        ledger = build(seed.db)
        ranked = ledger.rank(first.id, limit=200)
        assert first.id not in {ledger.ids[c.row] for c in ranked}
        narrowed = ledger.rank(first.id, within=ledger.mask(parse_query("quneitrah")))
        assert narrowed and all("Quneitrah" in ledger.texts[c.row] for c in narrowed)

    def test_shared_actors_rank_too(self, desk) -> None:
        db, _session, c = desk
        ledger = build(db)
        ranked = ledger.rank(c["withdrawals"].id)
        assert ledger.ids[ranked[0].row] == c["denied"].id  # no word in common, the same outlet
        assert ranked[0].shared_actors
