"""Offline evaluations of the platform's rankings against labelled sets.

``kyodo eval matching`` places ``matching_set.json`` (local issues, resources,
graded judgments) in a platform through its API and scores the candidates the
engine returns beside a text-only baseline. Modules: ``dataset`` (the set),
``platform`` (where it runs), ``baseline``, ``matching`` (the run), ``report``
(tables), ``metrics`` (the measures, shared with the matching service).
"""
