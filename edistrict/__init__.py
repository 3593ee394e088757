"""e-District gateway: applications, documents, officer decisions and certificates."""

__version__ = "1.0.0"
