"""Exports of an idea to other tools (an app layer: it reads the core, the core never reads it).

``thesis.export.model.describe(idea)`` builds one intermediate description of an idea's levels,
dates and trigger rules; ``thesis.export.pine.render`` writes it as a Pine Script v6 indicator
(docs/pine.md).
"""
