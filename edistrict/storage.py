"""Content-addressed blob storage: local disk by default, S3-compatible by configuration."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from edistrict.settings import Settings


class BlobStore(Protocol):
    """Stores bytes under their SHA-256 hex digest."""

    def put(self, data: bytes) -> str:
        """Stores ``data`` (idempotent) and returns its sha256."""
        ...

    def get(self, sha256: str) -> bytes:
        """Returns the bytes stored under ``sha256``; KeyError when absent."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether ``sha256`` is stored."""
        ...

    def delete(self, sha256: str) -> bool:
        """Removes the content stored under ``sha256``; True when something was removed.

        The caller checks that nothing refers to it any more (content is shared).
        """
        ...


def _check_digest(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise KeyError(sha256)
    return sha256


class LocalBlobStore:
    """Files under ``root/ab/cd/<sha256>``, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        digest = _check_digest(sha256)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Stores ``data`` once under its SHA-256.

        Args:
            data: The content.

        Returns:
            The hex digest.
        """
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        """Reads the content stored under ``sha256``.

        Args:
            sha256: Hex digest.

        Returns:
            The bytes.

        Raises:
            KeyError: When nothing is stored under that digest.
        """
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None

    def exists(self, sha256: str) -> bool:
        """Whether content with this digest is stored."""
        try:
            return self._path(sha256).exists()
        except KeyError:
            return False

    def delete(self, sha256: str) -> bool:
        """Deletes the file of ``sha256``.

        Args:
            sha256: Hex digest.

        Returns:
            True when a file was deleted; False when there was none (or the digest is
            malformed).
        """
        try:
            path = self._path(sha256)
        except KeyError:
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True


class S3BlobStore:
    """Objects ``<prefix><sha256>`` in an S3-compatible bucket (AWS, MinIO, Ceph ...)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "documents/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        """Builds the store from ``EDISTRICT_S3_*`` settings (credentials: AWS defaults).

        Args:
            settings: Gateway settings.

        Returns:
            The store.
        """
        import boto3

        client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region
        )
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    def _key(self, sha256: str) -> str:
        return self.prefix + _check_digest(sha256)

    def put(self, data: bytes) -> str:
        """Uploads ``data`` unless an object with its digest exists.

        Args:
            data: The content.

        Returns:
            The hex digest.
        """
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(digest):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(digest),
                Body=data,
                Metadata={"sha256": digest},
            )
        return digest

    def get(self, sha256: str) -> bytes:
        """Downloads the object with this digest.

        Args:
            sha256: Hex digest.

        Returns:
            The bytes.

        Raises:
            KeyError: When the object does not exist.
        """
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise KeyError(sha256) from None
            raise
        return bytes(response["Body"].read())

    def exists(self, sha256: str) -> bool:
        """Whether an object with this digest exists."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return False
            raise
        except KeyError:
            return False
        return True

    def delete(self, sha256: str) -> bool:
        """Deletes the object with this digest.

        Args:
            sha256: Hex digest.

        Returns:
            True when an object existed and was deleted; False otherwise.
        """
        if not self.exists(sha256):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))
        return True


def make_store(settings: Settings) -> BlobStore:
    """The blob store selected by ``EDISTRICT_STORAGE``.

    Args:
        settings: Gateway settings.

    Returns:
        A local or S3 store.
    """
    if settings.storage_backend == "s3":
        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.documents_dir)
