"""The node layer: conditions, lines, clauses, the scorer tree.

Each construct of the language is a small frozen class here that says, once,
what it means to every tool.
"""
