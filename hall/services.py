"""Writes for the organisation and accounts."""

from django.db import transaction

from .constants import AccountKind
from .models import Enterprise, User
from .validators import normalise_identifier


@transaction.atomic
def citizen_register_person(*, real_name: str, id_number: str, mobile: str, password: str) -> User:
    id_number, mobile = normalise_identifier(id_number), normalise_identifier(mobile)
    user = User(username=mobile, real_name=real_name, id_number=id_number, mobile=mobile, kind=AccountKind.PERSON)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def citizen_register_enterprise(
    *,
    enterprise_name: str,
    credit_code: str,
    legal_representative: str,
    real_name: str,
    id_number: str,
    mobile: str,
    password: str,
) -> Enterprise:
    agent = citizen_register_person(real_name=real_name, id_number=id_number, mobile=mobile, password=password)
    agent.kind = AccountKind.ENTERPRISE
    agent.save(update_fields=["kind"])
    enterprise = Enterprise(
        name=enterprise_name,
        credit_code=normalise_identifier(credit_code),
        legal_representative=legal_representative,
        agent=agent,
    )
    enterprise.full_clean()
    enterprise.save()
    return enterprise
