"""Content-addressed storage of citizens' documents, shared by every channel.

A channel that receives a photo or a PDF calls :func:`store_document` with the bytes. The
whole content is checked by :mod:`filecheck` (the same checks as the e-District gateway):
type by magic bytes, never by name or declared MIME type; images fully decoded under a
pixel cap; no bytes hidden after the end, no executable or script inside; PDFs without
encryption or active content. The file lands at
``<DOCUMENTS_DIR>/<sha256[:2]>/<sha256>.<ext>``; storing the same bytes twice is a no-op.
Actions find it again with :func:`document_path` and remove an unwanted one with
:func:`discard_document`.

Given the citizen's id, :func:`store_document` also enforces a daily quota (files and
bytes per citizen and day, India time) and records who uploaded which content, in a
small SQLite ledger next to the folder (:class:`UploadLedger`), so both survive a
restart and a file shared by two citizens is never deleted for one of them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Optional, Set

from channels.settings import DocumentSettings
from filecheck import FileRejected, check_file, sniff

DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")  # a stored document: its sha256
logger = logging.getLogger(__name__)

MIME_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
_FILENAME_MAX = 200
INDIA = timezone(timedelta(hours=5, minutes=30))
QUOTA_EXCEEDED = "quota_exceeded"
# filecheck code -> coarse reason
_REASONS = {
    "empty_file": "empty",
    "file_too_large": "too_large",
    "image_too_large": "too_large",
    "unsupported_type": "unsupported_type",
    "image_corrupt": "corrupt",
    "pdf_corrupt": "corrupt",
    "unreadable": "corrupt",
}


class DocumentRejected(ValueError):
    """The file cannot be stored; ``reason`` says why, ``code`` says exactly why.

    Attributes:
        reason: One of ``empty``, ``too_large``, ``unsupported_type``, ``corrupt``,
            ``unsafe`` (hidden content, active PDF, encrypted PDF) or
            ``quota_exceeded``.
        code: The precise code: a :mod:`filecheck` code or ``quota_exceeded``.
    """

    def __init__(self, reason: str, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code or reason

    @property
    def text_key(self) -> str:
        """The channel text (``channels/texts.py``) that answers the citizen."""
        if self.reason == QUOTA_EXCEEDED:
            return "document_quota_exceeded"
        return "document_rejected"

    @classmethod
    def from_check(cls, error: FileRejected) -> DocumentRejected:
        """Wraps a :class:`filecheck.FileRejected`."""
        return cls(_REASONS.get(error.code, "unsafe"), error.message, error.code)


@dataclass(frozen=True)
class StoredDocument:
    """A stored document.

    Attributes:
        id: Stable id of the content (its sha256 in hex).
        mime_type: Detected type: ``image/jpeg``, ``image/png`` or ``application/pdf``.
        size: Size in bytes.
        sha256: Hex SHA-256 of the content.
        filename: Original file name as sent by the citizen (sanitised), if any.
        path: Where the bytes are stored.
    """

    id: str
    mime_type: str
    size: int
    sha256: str
    filename: Optional[str]
    path: Path

    def to_metadata(self) -> Dict[str, Any]:
        """Returns the reference handed to Rasa in the user message's metadata."""
        return {
            "id": self.id,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "filename": self.filename,
        }


def detect_mime_type(data: bytes) -> Optional[str]:
    """Returns the MIME type given by the magic bytes, or None when unsupported."""
    return sniff(data)


def sanitize_filename(filename: Optional[str]) -> Optional[str]:
    """Keeps only the base name, without control characters, at most 200 characters."""
    if not filename:
        return None
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:_FILENAME_MAX] or None


def store_document(
    data: bytes,
    filename: Optional[str],
    declared_mime: Optional[str],
    settings: Optional[DocumentSettings] = None,
    *,
    sender_id: Optional[str] = None,
) -> StoredDocument:
    """Checks and stores a document.

    Args:
        data: The file's bytes.
        filename: Original file name, if the channel knows it.
        declared_mime: MIME type the sender declared (only logged when it differs).
        settings: Store settings; read from the environment when omitted.
        sender_id: The citizen (WhatsApp id): the upload counts against their daily
            quota, also when the file is then rejected, and is recorded as theirs.

    Returns:
        The stored document.

    Raises:
        DocumentRejected: The daily quota is used up, or the file is empty, too large,
            not a JPEG/PNG/PDF, corrupt or unsafe (see :mod:`filecheck`). Never any
            other exception for bad content.
    """
    settings = settings or DocumentSettings.from_env()
    ledger = UploadLedger.for_settings(settings) if sender_id else None
    if ledger is not None and sender_id:
        ledger.charge(sender_id, len(data), settings)
    try:
        checked = check_file(data, settings.max_bytes, settings.max_pixels)
    except FileRejected as error:
        raise DocumentRejected.from_check(error) from error
    mime_type = checked.mime_type
    if declared_mime and declared_mime.split(";")[0].strip().lower() != mime_type:
        logger.info(
            "Declared type %s differs from content %s", declared_mime, mime_type
        )

    sha256 = hashlib.sha256(data).hexdigest()
    path = settings.directory / sha256[:2] / f"{sha256}{MIME_EXTENSIONS[mime_type]}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    if ledger is not None and sender_id:
        ledger.record(sender_id, sha256)
    return StoredDocument(
        id=sha256,
        mime_type=mime_type,
        size=len(data),
        sha256=sha256,
        filename=sanitize_filename(filename),
        path=path,
    )


def document_path(
    document_id: str, settings: Optional[DocumentSettings] = None
) -> Optional[Path]:
    """Returns the stored file of a document id, or None when it is unknown.

    Args:
        document_id: The ``id`` from the document's metadata.
        settings: Store settings; read from the environment when omitted.
    """
    if not DOCUMENT_ID.fullmatch(document_id):
        return None
    settings = settings or DocumentSettings.from_env()
    for extension in MIME_EXTENSIONS.values():
        path = settings.directory / document_id[:2] / f"{document_id}{extension}"
        if path.exists():
            return path
    return None


def discard_document(
    document_id: str,
    sender_id: Optional[str] = None,
    settings: Optional[DocumentSettings] = None,
) -> bool:
    """Deletes a stored document nobody needs any more (an upload outside a form).

    The caller has checked that this citizen's drafts do not use it. The file stays
    when the ledger shows another citizen uploaded the same content.

    Args:
        document_id: The ``id`` from the document's metadata.
        sender_id: The citizen who sent it.
        settings: Store settings; read from the environment when omitted.

    Returns:
        True when the file was deleted.
    """
    settings = settings or DocumentSettings.from_env()
    path = document_path(document_id, settings)
    if path is None:
        return False
    ledger = UploadLedger.for_settings(settings)
    if sender_id:
        ledger.forget(sender_id, document_id)
    others = ledger.uploaders(document_id)
    if others:
        logger.info(
            "Keeping document %s: also sent by %d others", document_id, len(others)
        )
        return False
    path.unlink(missing_ok=True)
    logger.info("Discarded unexpected document %s", document_id)
    return True


_LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS daily_uploads (
    sender_id TEXT NOT NULL,
    day TEXT NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (sender_id, day)
);
CREATE TABLE IF NOT EXISTS uploads (
    sender_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at REAL NOT NULL,
    PRIMARY KEY (sender_id, sha256)
);
CREATE INDEX IF NOT EXISTS uploads_sha256 ON uploads (sha256);
"""


class UploadLedger:
    """Daily upload counts per citizen and who uploaded which content (SQLite).

    Thread-safe; one short connection per call, so the channel (Rasa server) and the
    action server can share the file.

    Args:
        path: Database file (created with its folder when missing).
        clock: Seconds since the epoch (tests pass a fake clock).
    """

    _instances: Dict[Path, UploadLedger] = {}
    _instances_lock = threading.Lock()

    def __init__(self, path: Path, clock: Any = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._ready = False

    @classmethod
    def for_settings(cls, settings: DocumentSettings) -> UploadLedger:
        """The ledger of a document store (one instance per file and process)."""
        path = settings.ledger
        with cls._instances_lock:
            ledger = cls._instances.get(path)
            if ledger is None:
                ledger = cls._instances[path] = cls(path)
            return ledger

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_LEDGER_SCHEMA)
            self._ready = True
        return connection

    def today(self) -> str:
        """The current day in India (quotas reset at midnight IST)."""
        return datetime.fromtimestamp(self.clock(), INDIA).date().isoformat()

    def charge(self, sender_id: str, size: int, settings: DocumentSettings) -> None:
        """Counts one upload of ``size`` bytes, unless it would exceed the quota.

        Raises:
            DocumentRejected: ``quota_exceeded``; nothing is counted then.
        """
        day = self.today()
        with self._lock:
            connection = self._connect()
            try:
                connection.execute("BEGIN IMMEDIATE")
                row = connection.execute(
                    "SELECT files, bytes FROM daily_uploads "
                    "WHERE sender_id = ? AND day = ?",
                    (sender_id, day),
                ).fetchone()
                files, used = row or (0, 0)
                over_files = 0 < settings.daily_files <= files
                over_bytes = 0 < settings.daily_bytes < used + size
                if over_files or over_bytes:
                    connection.execute("ROLLBACK")
                    logger.warning(
                        "Upload quota of %s used up today (%d files, %d bytes)",
                        sender_id,
                        files,
                        used,
                    )
                    raise DocumentRejected(
                        QUOTA_EXCEEDED,
                        f"Daily upload limit reached ({files} files, {used} bytes; "
                        f"limits {settings.daily_files} files, "
                        f"{settings.daily_bytes} bytes).",
                    )
                connection.execute(
                    "INSERT INTO daily_uploads (sender_id, day, files, bytes) "
                    "VALUES (?, ?, 1, ?) ON CONFLICT (sender_id, day) DO UPDATE SET "
                    "files = files + 1, bytes = bytes + excluded.bytes",
                    (sender_id, day, size),
                )
                connection.execute("DELETE FROM daily_uploads WHERE day < ?", (day,))
                connection.execute("COMMIT")
            except sqlite3.Error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                logger.exception(
                    "Upload ledger failed; upload of %s allowed", sender_id
                )
            finally:
                connection.close()

    def usage(self, sender_id: str) -> tuple[int, int]:
        """Files and bytes ``sender_id`` uploaded today."""
        with self._lock:
            connection = self._connect()
            try:
                row = connection.execute(
                    "SELECT files, bytes FROM daily_uploads "
                    "WHERE sender_id = ? AND day = ?",
                    (sender_id, self.today()),
                ).fetchone()
            finally:
                connection.close()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def record(self, sender_id: str, sha256: str) -> None:
        """Records that ``sender_id`` uploaded the content ``sha256``."""
        self._write(
            "INSERT OR REPLACE INTO uploads (sender_id, sha256, uploaded_at) "
            "VALUES (?, ?, ?)",
            (sender_id, sha256, self.clock()),
        )

    def forget(self, sender_id: str, sha256: str) -> None:
        """Removes the record of one citizen's upload."""
        self._write(
            "DELETE FROM uploads WHERE sender_id = ? AND sha256 = ?",
            (sender_id, sha256),
        )

    def uploaders(self, sha256: str) -> Set[str]:
        """The citizens recorded as having uploaded ``sha256``."""
        with self._lock:
            connection = self._connect()
            try:
                rows = connection.execute(
                    "SELECT sender_id FROM uploads WHERE sha256 = ?", (sha256,)
                ).fetchall()
            finally:
                connection.close()
        return {str(row[0]) for row in rows}

    def _write(self, sql: str, values: tuple[Any, ...]) -> None:
        with self._lock:
            connection = self._connect()
            try:
                connection.execute(sql, values)
            except sqlite3.Error:
                logger.exception("Upload ledger write failed")
            finally:
                connection.close()
