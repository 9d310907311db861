"""Factories and helpers for case tests.

`CaseFactory()` gives a draft of a published item of 江城区 (the demo organisation when the `cast`
fixture is loaded); traits per state (`submitted`, `accepted`, `approved`, …) set the state and the
dates a case in that state has, without running the services (for selector and workbench tests).
Service tests drive the real services instead (`apply_online`, `submitted_case`).
"""

import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.constants import CaseState, Channel
from cases.models import Case
from hall.models import Hall
from tests import samples
from tests.factories import CitizenFactory, HallFactory
from tests.items.factories import ItemVersionFactory

_number = itertools.count(1)

# Small real files: they parse completely as their type (tests/samples.py).
PDF_BYTES = samples.PDF
PNG_BYTES = samples.PNG
JPG_BYTES = samples.JPG


def pdf_upload(name: str = "申请书.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name: str = "身份证.png", content: bytes = PNG_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _hall_of(version) -> Hall:
    return Hall.objects.filter(region=version.item.region).order_by("code").first() or HallFactory(
        region=version.item.region
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    class Params:
        submitted = factory.Trait(
            state=CaseState.SUBMITTED,
            number=factory.LazyFunction(lambda: f"TF{next(_number):09d}"),
            submitted_at=factory.LazyFunction(timezone.now),
            received_at=factory.LazyFunction(timezone.now),
        )
        supplement_requested = factory.Trait(submitted=True, state=CaseState.SUPPLEMENT_REQUESTED)
        rejected = factory.Trait(
            submitted=True, state=CaseState.REJECTED, decided_at=factory.LazyFunction(timezone.now)
        )
        withdrawn = factory.Trait(submitted=True, state=CaseState.WITHDRAWN)
        accepted = factory.Trait(
            submitted=True, state=CaseState.ACCEPTED, accepted_on=factory.LazyFunction(timezone.localdate)
        )
        suspended = factory.Trait(accepted=True, state=CaseState.SUSPENDED)
        approved = factory.Trait(accepted=True, state=CaseState.APPROVED, decided_at=factory.LazyFunction(timezone.now))
        denied = factory.Trait(accepted=True, state=CaseState.DENIED, decided_at=factory.LazyFunction(timezone.now))
        delivered = factory.Trait(approved=True, state=CaseState.DELIVERED)
        archived = factory.Trait(delivered=True, state=CaseState.ARCHIVED)

    state = CaseState.DRAFT
    channel = Channel.ONLINE
    applicant = factory.SubFactory(CitizenFactory)
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.real_name)
    item_version = factory.SubFactory(ItemVersionFactory)
    owning_department = factory.LazyAttribute(lambda o: o.item_version.item.department)
    receiving_hall = factory.LazyAttribute(lambda o: _hall_of(o.item_version))
    form_data = factory.LazyFunction(lambda: {"contact_mobile": "13900000000", "description": "测试申请"})
