"""Where notices, evidence and seals are kept: a folder (one machine) or S3-compatible object
storage (several web nodes and schedulers; MinIO, Ceph, the object storage of government clouds).

``CASEFLOW_STORAGE`` picks the backend: a path is the local folder, ``s3://bucket/prefix`` the
object store, reached at ``CASEFLOW_S3_ENDPOINT`` with the usual ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` (and ``CASEFLOW_S3_REGION``). Keys are relative paths such as
``notices/ZS/2026/17-answer_notice-ABCD.pdf``, the same in both backends, so a backup taken from
one restores into the other.

Files are written once (``put_new`` refuses an existing key) and read by any node; a reader that
knows the recorded SHA-256 passes it and gets ``StoredFileCorrupt`` instead of altered bytes.
"""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from flask import current_app


class StoredFileCorrupt(RuntimeError):
    """The stored bytes do not match their recorded SHA-256 (or the file is gone)."""


def _check(key: str, data: bytes, sha256: str | None) -> bytes:
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileCorrupt(f"{key}: SHA-256 differs from the recorded one")
    return data


def _safe_key(key: str) -> str:
    key = str(key).replace("\\", "/").lstrip("/")
    if not key or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    """A folder on this machine (the default)."""

    kind = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put_new(self, key: str, data: bytes) -> bool:
        """Write ``data`` under ``key`` unless the key exists (then False, nothing written)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as handle:  # x: never overwrite a stored file
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            return False
        return True

    def get(self, key: str, sha256: str | None = None) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileCorrupt(f"{key}: missing") from None
        return _check(key, data, sha256)

    def chunks(self, key: str, size: int = 64 * 1024) -> Iterator[bytes]:
        """The stored bytes in pieces, never all in memory (the confirmation bundle streams
        hundreds of MB of evidence this way)."""
        try:
            with open(self._path(key), "rb") as handle:
                while chunk := handle.read(size):
                    yield chunk
        except FileNotFoundError:
            raise StoredFileCorrupt(f"{key}: missing") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Only for a file no row refers to (a lost race); stored records are never deleted."""
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            yield path.relative_to(self.root).as_posix()


class S3Storage:
    """A bucket (and key prefix) of an S3-compatible object store."""

    kind = "s3"

    def __init__(self, url: str, *, endpoint: str | None = None, region: str | None = None):
        import boto3
        from botocore.config import Config

        bucket_and_prefix = url.removeprefix("s3://")
        self.bucket, _, prefix = bucket_and_prefix.partition("/")
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=region or "us-east-1",
            # Path-style addressing: MinIO and Ceph behind one host name, no wildcard DNS.
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _key(self, key: str) -> str:
        key = _safe_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_new(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        full = self._key(key)
        if self.exists(key):
            return False
        try:
            # If-None-Match: * makes the write conditional where the store supports it (AWS,
            # MinIO, Ceph); the check above covers stores that ignore the header.
            self.client.put_object(
                Bucket=self.bucket,
                Key=full,
                Body=data,
                IfNoneMatch="*",
                ChecksumAlgorithm="SHA256",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return False
            raise
        return True

    def get(self, key: str, sha256: str | None = None) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise StoredFileCorrupt(f"{key}: missing") from None
            raise
        return _check(key, answer["Body"].read(), sha256)

    def chunks(self, key: str, size: int = 64 * 1024) -> Iterator[bytes]:
        """The object's bytes in pieces, as the store sends them."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise StoredFileCorrupt(f"{key}: missing") from None
            raise
        yield from answer["Body"].iter_chunks(size)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        if ".." in prefix.split("/"):
            raise ValueError(f"bad storage prefix {prefix!r}")
        start = (f"{self.prefix}/" if self.prefix else "") + prefix.lstrip("/")
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", ()):
                name = item["Key"]
                yield name[len(self.prefix) + 1 :] if self.prefix else name


def storage_for(location: str, config: dict | None = None):
    """The backend for a CASEFLOW_STORAGE value."""
    config = config or {}
    if str(location).startswith("s3://"):
        return S3Storage(
            location,
            endpoint=config.get("CASEFLOW_S3_ENDPOINT") or os.environ.get("CASEFLOW_S3_ENDPOINT"),
            region=config.get("CASEFLOW_S3_REGION") or os.environ.get("CASEFLOW_S3_REGION"),
        )
    return LocalStorage(location)


def storage():
    """This app's backend (one per app, made on first use)."""
    app = current_app._get_current_object()
    location = app.config["CASEFLOW_STORAGE"]
    cached = app.extensions.get("caseflow_storage")
    if cached is None or cached[0] != location:
        cached = (location, storage_for(location, app.config))
        app.extensions["caseflow_storage"] = cached
    return cached[1]
