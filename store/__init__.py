"""claimdesk's domain: reports, paragraphs, actors, annotations and their storage.

Plain Python: nothing in this package imports Textual, so the CLI, the tests and
the benchmarks use the same API the TUI does.
"""
