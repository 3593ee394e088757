"""The one exception of the file checks, with stable codes and HTTP statuses."""

from __future__ import annotations

# code -> HTTP status a web service answers with (never 500).
STATUS = {
    "empty_file": 422,
    "file_too_large": 413,
    "unsupported_type": 415,
    "image_corrupt": 422,
    "image_too_large": 413,
    "trailing_data": 422,
    "embedded_executable": 422,
    "pdf_corrupt": 422,
    "pdf_encrypted": 422,
    "pdf_active_content": 422,
    "pdf_unscannable": 422,
    "unreadable": 422,
}


class FileRejected(ValueError):
    """A file failed a check.

    Attributes:
        code: Stable machine-readable reason (a key of :data:`STATUS`).
        message: Human-readable reason (English, for logs and API clients).
        status: HTTP status for a web service: 413, 415 or 422.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = STATUS.get(code, 422)

    def __repr__(self) -> str:
        return f"FileRejected({self.code!r}, {self.message!r})"
