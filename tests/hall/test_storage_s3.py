"""Files on S3-compatible storage (TONGBAN_STORAGE=s3) against a local moto server: an application's
uploaded material and its issued documents are stored in the bucket, served through the portal's own
views with their permission checks, byte for byte (SHA-256 as recorded), and nothing touches MEDIA_ROOT."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from cases import services
from cases.documents import document_signature_state
from tests.cases.factories import PDF_BYTES
from tests.cases.helpers import submitted_case

from .s3 import bucket_keys, files_under

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_settings_choose_s3_and_refuse_what_is_missing():
    from django.core.exceptions import ImproperlyConfigured

    from hall.settings.storage import S3_BACKEND, media_storage

    assert media_storage({})["BACKEND"].endswith("FileSystemStorage")
    s3 = media_storage({"TONGBAN_STORAGE": "S3", "AWS_STORAGE_BUCKET_NAME": "halls", "AWS_LOCATION": "/tongban/"})
    assert s3["BACKEND"] == S3_BACKEND
    assert s3["OPTIONS"]["bucket_name"] == "halls" and s3["OPTIONS"]["location"] == "tongban"
    assert s3["OPTIONS"]["default_acl"] is None and s3["OPTIONS"]["file_overwrite"] is False
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        media_storage({"TONGBAN_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="'filesystem' or 's3'"):
        media_storage({"TONGBAN_STORAGE": "nfs"})


def test_production_settings_take_the_storage_from_the_environment(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    keys = tmp_path / "keys.json"  # production refuses to start without personal-data keys
    keys.write_text(json.dumps({"current": "1", "keys": {"1": "00" * 16}, "index_key": "11" * 32}))
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import default_storage as d; "
        "print(json.dumps([s.STORAGES['staticfiles']['BACKEND'], type(d._wrapped if d._setup() is None else d).__name__, "
        "d.bucket_name, d.endpoint_url, d.default_acl, d.file_overwrite]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        "TONGBAN_DATA_KEY_FILE": str(keys),
        "TONGBAN_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "tongban-files",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    static, backend, bucket, endpoint, acl, overwrite = json.loads(done.stdout.strip().splitlines()[-1])
    assert static.startswith("whitenoise.") and backend == "PrivateS3Storage"
    assert (bucket, endpoint, acl, overwrite) == ("tongban-files", "http://127.0.0.1:9000", None, False)


def test_application_material_and_documents_on_s3(cast, s3_storage):
    s3 = s3_storage
    case = submitted_case(cast)
    case = services.case_accept(case=case, actor=cast.clerk)
    documents = list(case.documents.order_by("pk"))
    materials = list(case.materials.order_by("pk"))
    assert documents and materials
    keys = bucket_keys(s3)
    for stored in [*documents, *materials]:
        assert stored.file.name in keys
    assert files_under(s3.media_root) == []

    client = Client()
    client.force_login(cast.citizen)
    for document in documents:
        response = client.get(reverse("cases:document", args=[case.pk, document.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        content = _body(response)
        assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == document.sha256
        assert document_signature_state(document)["state"] in {"valid", "unsigned"}
    pdf_material = next(m for m in materials if m.original_name.endswith(".pdf"))
    response = client.get(reverse("cases:material_file", args=[case.pk, pdf_material.pk]))
    assert hashlib.sha256(_body(response)).hexdigest() == pdf_material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert files_under(s3.media_root) == []


def test_s3_objects_are_private_and_served_only_with_permission(cast, s3_storage):
    s3 = s3_storage
    case = submitted_case(cast)
    document = case.documents.order_by("pk").first()
    # Uploaded without an ACL: only the bucket owner holds a grant, nobody else (no public-read).
    grants = s3.client.get_object_acl(Bucket=s3.bucket, Key=document.file.name)["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None]
    # No link to the bucket is ever made (the admin's file links included): the path nothing serves.
    assert default_storage.url(document.file.name) == f"/media/{document.file.name}"

    outsider = Client()
    outsider.force_login(cast.other_citizen)
    assert outsider.get(reverse("cases:document", args=[case.pk, document.pk])).status_code == 404
    assert Client().get(reverse("cases:document", args=[case.pk, document.pk])).status_code == 302  # to login

    # An object missing from the bucket is a plain 404, and the public check says the file is not the one issued.
    s3.client.delete_object(Bucket=s3.bucket, Key=document.file.name)
    owner = Client()
    owner.force_login(cast.citizen)
    assert owner.get(reverse("cases:document", args=[case.pk, document.pk])).status_code == 404
    assert document_signature_state(document)["state"] == "altered"


def test_same_name_twice_keeps_both_files(cast, s3_storage):
    """Two uploads of the same content share a name on a filesystem only with a suffix: S3 does the same,
    so that deleting one case's file after a failed service never deletes another's."""
    from django.core.files.base import ContentFile

    first = default_storage.save("materials/2026/11/same.pdf", ContentFile(PDF_BYTES))
    second = default_storage.save("materials/2026/11/same.pdf", ContentFile(PDF_BYTES))
    assert first != second and default_storage.exists(first) and default_storage.exists(second)


def test_backup_copies_the_bucket_and_restore_writes_it_back(s3_storage, tmp_path):
    """The files half of `manage.py backup`/`restore` on S3: every object, nested or not, is copied out
    with its SHA-256 and written back under the same key, replacing an altered one."""
    from django.core.files.base import ContentFile

    from hall.backup import files_copy, files_restore, stored_names

    s3 = s3_storage
    contents = {
        "documents/2026/11/JC1-receipt.pdf": PDF_BYTES,
        "materials/2026/11/申请书.pdf": PDF_BYTES + b"%2",
        "archive/2026/JC1.zip": b"PK\x05\x06" + bytes(18),
    }
    for name, content in contents.items():
        assert default_storage.save(name, ContentFile(content)) == name
    assert list(stored_names()) == sorted(contents)
    copied = files_copy(tmp_path / "files")
    assert copied == {
        name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        for name, content in contents.items()
    }
    s3.client.delete_object(Bucket=s3.bucket, Key="archive/2026/JC1.zip")
    s3.client.put_object(Bucket=s3.bucket, Key="documents/2026/11/JC1-receipt.pdf", Body=b"%PDF-altered")
    files_restore(tmp_path / "files", copied)
    for name, content in contents.items():
        body = s3.client.get_object(Bucket=s3.bucket, Key=name)["Body"].read()
        assert body == content
    assert bucket_keys(s3) == sorted(contents)
    assert files_under(s3.media_root) == []


def test_a_failed_service_leaves_no_object_in_the_bucket(cast, s3_storage):
    from django.db import transaction

    from cases.uploads import delete_files_on_error
    from tests.cases.factories import pdf_upload
    from tests.cases.helpers import draft_case

    case = draft_case(cast)
    material = case.item_version.materials.order_by("order").first()
    with pytest.raises(RuntimeError), delete_files_on_error(), transaction.atomic():
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=material)
        assert len(bucket_keys(s3_storage)) == 1
        raise RuntimeError("a later step fails")
    assert bucket_keys(s3_storage) == [] and not case.materials.exists()
