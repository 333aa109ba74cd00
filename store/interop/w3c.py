"""W3C Web Annotation (JSON-LD), one annotation per line, valid against the W3C test suite's MUSTs.

* The target's `source` is the report: `urn:claimdesk:report:<report id>:<revision>`, a name that
  stays the same on every analyst's machine (`claimdesk export --report <report id>` gives the
  report's records; its file is `dcterms:source`), with the report's `dcterms:title`,
  `dcterms:date` and `dcterms:publisher` (its outlet) on the target. The paragraph is a
  `FragmentSelector` (`paragraph=N`) refined by a `TextPositionSelector` (code points into the
  paragraph); a `TextQuoteSelector` (the quote with 32 characters of context each side) is the
  alternative a reader without claimdesk can anchor on.
* A claim's claimant and reported-by are bodies that identify actor resources
  (`urn:claimdesk:actor:<name>`, their name, type and aliases), with `schema:roleName` saying
  which; an actor mention's body identifies its actor the same way.
* `creator` is a `Person` with the reviewer's name as `name` and `nickname`.
* A link between two claims is an annotation with motivation `linking`: its target is the
  claim that says it (`urn:claimdesk:annotation:<id>`), its body the other claim (a
  `SpecificResource` with purpose `linking`), the relation as a classifying body and the
  note as a commenting one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote as url_quote

from store.model import Link
from store.records import Entry

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_CONTEXT_CHARS = 32  # of prefix and suffix around a TextQuoteSelector's exact text
PARAGRAPH_FRAGMENT = "urn:claimdesk:fragment:paragraph"  # `paragraph=N`: the Nth paragraph (1-based) of the report revision


def _iri_part(value: str) -> str:
    return url_quote(value, safe="")


def report_urn(report_id: str, revision: str) -> str:
    return f"urn:claimdesk:report:{_iri_part(report_id)}:{_iri_part(revision)}"


def actor_urn(name: str) -> str:
    return f"urn:claimdesk:actor:{_iri_part(name)}"


def _actor_resource(actor: dict[str, Any] | None, name: str | None) -> dict[str, Any] | None:
    """An actor as a resource: its registry name, type and aliases (only the name when the registry has no more)."""
    if actor is None and not name:
        return None
    name = actor["name"] if actor else name
    assert name is not None
    resource: dict[str, Any] = {"id": actor_urn(name), "name": name}
    if actor:
        resource["type"] = "Person" if actor["type"] == "person" else "Organization"
        resource["dcterms:type"] = actor["type"]
        if actor["aliases"]:
            resource["schema:alternateName"] = list(actor["aliases"])
        if actor["affiliation"]:
            resource["schema:affiliation"] = {"id": actor_urn(actor["affiliation"]), "name": actor["affiliation"]}
    return resource


def annotation(entry: Entry, actor_views: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """`actor_views`: what the registry says of an actor, by canonical name (for claimant and reported-by)."""
    record = entry.record
    start, end, quote = entry.offsets
    text = entry.paragraph.text
    bodies: list[dict[str, Any]] = []

    def textual(value: str, purpose: str) -> None:
        if value:
            bodies.append({"type": "TextualBody", "value": value, "format": "text/plain", "purpose": purpose})

    def actor_body(resource: dict[str, Any] | None, purpose: str, role: str) -> None:
        if resource is not None:
            bodies.append({"type": "SpecificResource", "purpose": purpose, "schema:roleName": role, "source": resource})

    claim, actor = record["claim"], record["actor"]
    if claim:
        textual(claim["text"], "describing")
        textual(f"claim_type: {claim['type']}", "classifying")
        for role in ("claimant", "reported_by"):
            if claim[role]:
                actor_body(_actor_resource(actor_views.get(claim[role]), claim[role]), "describing", role)
    if actor:
        actor_body(_actor_resource(actor, None), "identifying", "mentioned")
        textual(f"actor_type: {actor['type']}", "classifying")
    if record["credibility"]:
        textual(f"credibility: {record['credibility']['code']}", "assessing")
    textual(record["note"], "commenting")
    if not bodies:
        textual(f"kind: {record['kind']}", "classifying")
    found: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": annotation_urn(record["id"]),
        "type": "Annotation",
        "motivation": "describing" if record["kind"] == "claim" else "identifying",
    }
    if record["reviewer"]:
        found["creator"] = {"type": "Person", "name": record["reviewer"], "nickname": record["reviewer"]}
    if record["created_at"]:
        found["created"] = record["created_at"]
    if record["updated_at"]:
        found["modified"] = record["updated_at"]
    found["body"] = bodies
    report = record["report"]
    target: dict[str, Any] = {"source": report_urn(report["id"], report["revision"])}
    for key, value in (("dcterms:title", report["title"]), ("dcterms:date", report["date"]),
                       ("dcterms:publisher", report["outlet"]), ("dcterms:source", report["source"])):
        if value:
            target[key] = value
    target["selector"] = [
        {
            "type": "FragmentSelector",
            "conformsTo": PARAGRAPH_FRAGMENT,
            "value": f"paragraph={entry.paragraph.number}",
            "refinedBy": {"type": "TextPositionSelector", "start": start, "end": end},
        },
        {
            "type": "TextQuoteSelector",
            "exact": quote,
            "prefix": text[max(0, start - W3C_CONTEXT_CHARS):start],
            "suffix": text[end:end + W3C_CONTEXT_CHARS],
        },
    ]
    found["target"] = target
    return found


def annotation_urn(annotation_id: str) -> str:
    return f"urn:claimdesk:annotation:{_iri_part(annotation_id)}"


def link_annotation(link: Link) -> dict[str, Any]:
    """A link between two claims as a W3C annotation with motivation `linking`."""
    bodies: list[dict[str, Any]] = [
        {"type": "SpecificResource", "source": annotation_urn(link.to_claim), "purpose": "linking",
         "schema:roleName": link.relation},
        {"type": "TextualBody", "value": f"relation: {link.relation}", "format": "text/plain", "purpose": "classifying"},
    ]
    if link.note:
        bodies.append({"type": "TextualBody", "value": link.note, "format": "text/plain", "purpose": "commenting"})
    found: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:claimdesk:link:{_iri_part(link.id)}",
        "type": "Annotation",
        "motivation": "linking",
    }
    if link.reviewer:
        found["creator"] = {"type": "Person", "name": link.reviewer, "nickname": link.reviewer}
    if link.created_at:
        found["created"] = link.created_at
    if link.updated_at:
        found["modified"] = link.updated_at
    found["body"] = bodies
    found["target"] = {"source": annotation_urn(link.from_claim)}
    return found


__all__ = ["W3C_CONTEXT", "actor_urn", "annotation", "annotation_urn", "link_annotation", "report_urn"]
