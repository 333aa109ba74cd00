"""Views of the native records for other tools (brat, doccano, Prodigy, W3C), and readers of what
doccano and Prodigy give back. Each module writes to its tool's own documented rules; the tests
check the output against those rules. Loaded only by the command that uses it."""
