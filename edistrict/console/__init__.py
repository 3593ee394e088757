"""The officers' web console (server-rendered pages, usable in English and Hindi).

A queue by SLA, each application with its documents and their pre-check, the decisions.

Officers log in with their officer id and token (the same as the officer API); a signed
cookie keeps the session (edistrict/console/sessions.py). An officer sees only their
departments' applications; every page view of a document and every decision is audited.
"""
