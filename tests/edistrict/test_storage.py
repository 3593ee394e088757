"""Blob stores: local disk, and S3 over HTTP against moto's server on loopback."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from edistrict.settings import Settings
from edistrict.storage import LocalBlobStore, S3BlobStore
from tests.edistrict.conftest import pdf_bytes, submit, upload
from tests.edistrict.test_outbox import free_port


def test_local_store_is_content_addressed(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    digest = store.put(b"hello")
    assert digest == hashlib.sha256(b"hello").hexdigest()
    assert store.put(b"hello") == digest
    assert store.get(digest) == b"hello" and store.exists(digest)
    assert (tmp_path / digest[:2] / digest[2:4] / digest).is_file()
    with pytest.raises(KeyError):
        store.get("0" * 64)
    with pytest.raises(KeyError):
        store.get("../../etc/passwd")
    assert store.delete(digest) is True and not store.exists(digest)
    assert store.delete(digest) is False
    assert store.delete("../../etc/passwd") is False


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "ap-south-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = f"edistrict-docs-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="ap-south-1").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    yield endpoint, bucket
    server.stop()


def test_s3_store_over_http(s3_endpoint: tuple[str, str]):
    s3_endpoint, bucket = s3_endpoint
    settings = Settings(
        storage_backend="s3", s3_bucket=bucket, s3_endpoint_url=s3_endpoint
    )
    store = S3BlobStore.from_settings(settings)
    digest = store.put(b"%PDF-1.4 test")
    assert store.exists(digest) and not store.exists("1" * 64)
    assert store.get(digest) == b"%PDF-1.4 test"
    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name="ap-south-1")
    assert (
        raw.get_object(Bucket=bucket, Key=f"documents/{digest}")["Body"].read()
        == b"%PDF-1.4 test"
    )
    with pytest.raises(KeyError):
        store.get("2" * 64)
    assert store.delete(digest) is True and not store.exists(digest)
    assert store.delete(digest) is False


def test_uploads_go_to_s3_when_configured(
    s3_endpoint: tuple[str, str], sqlite_url: str, build_client
):
    s3_endpoint, bucket = s3_endpoint
    client = build_client(
        sqlite_url, storage_backend="s3", s3_bucket=bucket, s3_endpoint_url=s3_endpoint
    )
    app_id = submit(client).json()["application_id"]
    data = pdf_bytes(1)
    assert upload(client, app_id, data).status_code == 201
    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name="ap-south-1")
    keys = [o["Key"] for o in raw.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"documents/{hashlib.sha256(data).hexdigest()}"]
    assert not client.app.state.settings.documents_dir.exists()  # type: ignore[attr-defined]
