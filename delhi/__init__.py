"""Delhi facts and identifier checks as pure functions (no I/O at import time).

Used by the NLU components (components/), the form validators (actions/) and possibly the
e-District gateway.
"""
