"""The document store's bookkeeping: who uploaded which content, and daily quotas.

A channel hands a citizen's photo or PDF to ``POST /api/v1/documents``; the bytes go to
the blob store (shared by content), an :class:`~edistrict.models.Upload` row says which
citizen sent them. Every attempt counts against the citizen's daily quota (files and
bytes per day in India), also a file that is then refused, in the database so the
counts survive a restart and are shared by every gateway process.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from edistrict.applications import IST
from edistrict.db import utcnow
from edistrict.documents import DocumentRejected
from edistrict.models import Certificate, Document, Upload, UploadQuota
from edistrict.precheck import expected_key
from edistrict.settings import Settings
from edistrict.storage import BlobStore

DOCUMENT_ID = re.compile(r"[0-9a-f]{64}")  # an upload's reference: its sha256
FILENAME_MAX = 200
QUOTA_EXCEEDED = "quota_exceeded"

logger = logging.getLogger(__name__)


def sanitize_filename(filename: str | None) -> str | None:
    """Keeps only the base name, without control characters, at most 200 characters."""
    if not filename:
        return None
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:FILENAME_MAX] or None


def india_day(now: datetime | None = None) -> date:
    """The current day in India (quotas reset at midnight IST)."""
    return (now or utcnow()).astimezone(IST).date()


def charge_quota(
    session: Session,
    citizen_id: str,
    size: int,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Counts one upload of ``size`` bytes, unless it would exceed today's quota.

    Committed at once, so the attempt counts whatever happens to the file next. The
    check and the count are one conditional ``UPDATE``: concurrent uploads of one
    citizen cannot both take the last place. Rows of earlier days are removed.

    Args:
        session: The request's session (its pending changes are committed).
        citizen_id: The citizen uploading (``X-Citizen-Id``).
        size: Bytes received.
        settings: ``upload_files_per_day`` and ``upload_bytes_per_day`` (0: no limit).
        now: The current time (tests pass one).

    Raises:
        DocumentRejected: 429 ``quota_exceeded``; nothing is counted then.
    """
    day = india_day(now)
    max_files, max_bytes = settings.upload_files_per_day, settings.upload_bytes_per_day
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(UploadQuota)
        .values(citizen_id=citizen_id, day=day, files=0, size_bytes=0)
        .on_conflict_do_nothing()
    )
    row = (UploadQuota.citizen_id == citizen_id, UploadQuota.day == day)
    limits = []
    if max_files > 0:
        limits.append(UploadQuota.files < max_files)
    if max_bytes > 0:
        limits.append(UploadQuota.size_bytes + size <= max_bytes)
    counted = session.execute(
        update(UploadQuota)
        .where(*row, *limits)
        .values(files=UploadQuota.files + 1, size_bytes=UploadQuota.size_bytes + size)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount == 0:
        files, used = session.execute(
            select(UploadQuota.files, UploadQuota.size_bytes).where(*row)
        ).one()
        session.commit()
        logger.warning("Upload quota used up today (%d files, %d bytes)", files, used)
        raise DocumentRejected(
            429,
            QUOTA_EXCEEDED,
            f"Daily upload limit reached ({files} files, {used} bytes; limits "
            f"{max_files} files, {max_bytes} bytes; 0 = none). Try again tomorrow.",
        )
    session.execute(
        delete(UploadQuota)
        .where(UploadQuota.day < day)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def usage(
    session: Session, citizen_id: str, now: datetime | None = None
) -> tuple[int, int]:
    """Files and bytes ``citizen_id`` sent today."""
    counts = session.execute(
        select(UploadQuota.files, UploadQuota.size_bytes).where(
            UploadQuota.citizen_id == citizen_id, UploadQuota.day == india_day(now)
        )
    ).one_or_none()
    return (int(counts[0]), int(counts[1])) if counts else (0, 0)


def find_upload(
    session: Session, citizen_id: str | None, document_id: str
) -> Upload | None:
    """The citizen's upload of ``document_id``, or None (also for a malformed id)."""
    if not citizen_id or not DOCUMENT_ID.fullmatch(document_id):
        return None
    return session.scalar(
        select(Upload).where(
            Upload.citizen_id == citizen_id, Upload.sha256 == document_id
        )
    )


def earlier_precheck(
    session: Session, citizen_id: str | None, sha256: str
) -> dict[str, Any] | None:
    """The latest pre-check of the citizen's upload of ``sha256``, if any."""
    upload = find_upload(session, citizen_id, sha256)
    return dict(upload.precheck) if upload is not None and upload.precheck else None


def still_valid(
    result: dict[str, Any] | None, document_type: str, expected: dict[str, str]
) -> bool:
    """Whether a pre-check was of this type against these very answers.

    An answer corrected after the check (at the summary, say) makes it stale.
    """
    return bool(result) and (
        result.get("document_type") == document_type
        and result.get("expected_key") == expected_key(expected)
    )


def content_in_use(session: Session, sha256: str) -> bool:
    """Whether any upload, application document or certificate still has ``sha256``."""
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(Upload.sha256 == sha256),
                    exists().where(Document.sha256 == sha256),
                    exists().where(Certificate.sha256 == sha256),
                )
            )
        )
    )


def expire_uploads(session: Session, store: BlobStore, older_than: datetime) -> int:
    """Deletes uploads made before ``older_than``; content no one else has goes too.

    A document already attached to an application stays (the application's own
    :class:`~edistrict.models.Document` row keeps its content).

    Returns:
        The number of uploads deleted.
    """
    old = session.scalars(select(Upload).where(Upload.uploaded_at < older_than)).all()
    for upload in old:
        session.delete(upload)
    session.commit()
    for sha256 in {upload.sha256 for upload in old}:
        if not content_in_use(session, sha256):
            store.delete(sha256)
    if old:
        logger.info("expired %d uploads older than %s", len(old), older_than.date())
    return len(old)
