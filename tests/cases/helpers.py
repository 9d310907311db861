"""Helpers that drive the real services to put a case where a test needs it."""

from cases import services
from tests.items.factories import ItemVersionFactory

from .factories import pdf_upload, png_upload


def version_with_materials(**kwargs):
    """A published 江城区 item: 申请书 (mandatory) and 申请人身份证明 (mandatory, deferrable)."""
    return ItemVersionFactory(**kwargs)


def attach_all(case, actor):
    for material in case.item_version.materials.order_by("order"):
        upload = pdf_upload(f"{material.name}.pdf") if material.order % 2 else png_upload(f"{material.name}.png")
        services.case_attach_material(case=case, actor=actor, upload=upload, material=material)


def draft_case(cast, version=None, **kwargs):
    version = version or version_with_materials()
    return services.case_create_draft(
        applicant=cast.citizen, item_version=version, form_data={"contact_mobile": cast.citizen.mobile}, **kwargs
    )


def submitted_case(cast, version=None, complete=True):
    case = draft_case(cast, version)
    if complete:
        attach_all(case, cast.citizen)
    else:
        first = case.item_version.materials.order_by("order").first()
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=first)
    return services.case_submit(case=case, actor=cast.citizen)


def accepted_case(cast, version=None):
    case = submitted_case(cast, version)
    return services.case_accept(case=case, actor=cast.clerk)
