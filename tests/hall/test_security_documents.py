"""Issued documents: SM3 + SHA-256, the issuing department's SM2 signature, the seal only when signed,
and the public verification page's signature state."""

import pytest
from django.urls import reverse

from cases.documents import document_issue, document_signature_state
from hall import crypto, sm2
from tests.cases.helpers import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_sm2_keys(tmp_path, settings):
    settings.TONGBAN_SM2_KEY_DIR = str(tmp_path / "sm2")
    return tmp_path / "sm2"


def test_document_is_hashed_and_signed_by_its_department(cast, own_sm2_keys):
    case = submitted_case(cast)
    document = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    content = document.file.open("rb").read()
    assert document.sm3 == crypto.sm3_hex(content) and len(document.sha256) == 64
    assert document.signature_key == f"dept{case.owning_department_id}:1"
    assert (own_sm2_keys / f"dept{case.owning_department_id}.json").exists()  # outside the database
    public = sm2.public_key_for(document.signature_key)
    assert sm2.verify(content, document.signature, public)
    assert document_signature_state(document)["state"] == "valid"
    from django.test import Client

    response = Client().get(reverse("cases:verify", args=[document.token]))
    assert 'data-signature="valid"' in response.content.decode()
    assert "SM2 签名有效" in response.content.decode()


def test_tampered_file_or_signature_shows_invalid(cast, own_sm2_keys):
    from django.test import Client

    case = submitted_case(cast)
    document = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    path = document.file.path
    with open(path, "ab") as handle:
        handle.write(b"%tampered")
    assert document_signature_state(document)["state"] == "altered"
    response = Client().get(reverse("cases:verify", args=[document.token]))
    assert 'data-signature="altered"' in response.content.decode()
    # A right file with a wrong signature.
    other = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    other.signature = document.signature
    assert document_signature_state(other)["state"] == "invalid"


def test_no_key_means_unsigned_and_no_seal(cast, own_sm2_keys, settings):
    settings.TONGBAN_CRYPTO_DEV_KEYS = False  # as in production: keys only from the command
    case = submitted_case(cast)
    document = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    assert document.signature == "" and document.sm3
    assert document_signature_state(document)["state"] == "unsigned"


def test_seal_printed_only_on_signed_documents(cast, own_sm2_keys, settings, monkeypatch):
    seen = {}
    import cases.documents as documents

    original = documents.render_pdf

    def spy(template, context):
        seen["seal"] = context.get("seal_data_uri", "")
        return original(template, context)

    monkeypatch.setattr(documents, "render_pdf", spy)
    case = submitted_case(cast)
    document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    assert seen["seal"].startswith("data:image/svg+xml;base64,")
    settings.TONGBAN_SM2_KEY_DIR = str(own_sm2_keys / "none")
    settings.TONGBAN_CRYPTO_DEV_KEYS = False
    document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    assert seen["seal"] == ""


def test_key_command_and_rotation_keep_old_documents_valid(cast, own_sm2_keys):
    from django.core.management import call_command

    call_command("sm2_keys", stdout=__import__("io").StringIO())
    case = submitted_case(cast)
    key = f"dept{case.owning_department_id}"
    assert (own_sm2_keys / f"{key}.json").exists()
    before = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    call_command("sm2_keys", "--rotate", key, stdout=__import__("io").StringIO())
    after = document_issue(case=case, kind="acceptance", actor=cast.clerk, context={})
    assert before.signature_key.endswith(":1") and after.signature_key.endswith(":2")
    assert document_signature_state(before)["state"] == "valid"
    assert document_signature_state(after)["state"] == "valid"
