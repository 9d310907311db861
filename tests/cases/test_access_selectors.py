"""Who sees which case, at selector level (the pages use these; B2 tests the pages themselves)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cases.selectors import cases_for_user, get_case_for_user, progress_lookup
from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import User
from tests.factories import EnterpriseFactory

from .factories import CaseFactory

# role in the cast → may see a case of 江城区市场监管 received at the JC hall
MATRIX = {
    "citizen": True,
    "other_citizen": False,
    "clerk": True,
    "other_clerk": False,
    "approver": True,
    "other_approver": False,
    "result_clerk": True,
    "supervisor": True,
    "catalogue_admin": False,
    "other_catalogue_admin": False,
    "admin": True,
}


@pytest.fixture
def jc_case(cast):
    return CaseFactory(applicant=cast.citizen, submitted=True)


@pytest.mark.parametrize("who,sees", MATRIX.items())
def test_matrix(cast, jc_case, who, sees):
    user = getattr(cast, who)
    assert cases_for_user(user).filter(pk=jc_case.pk).exists() is sees
    if sees:
        assert get_case_for_user(user, jc_case.pk) == jc_case
    else:
        with pytest.raises(Http404):
            get_case_for_user(user, jc_case.pk)


def test_anonymous_sees_nothing(jc_case):
    assert not cases_for_user(AnonymousUser()).exists()
    with pytest.raises(Http404):
        get_case_for_user(AnonymousUser(), jc_case.pk)


@pytest.mark.parametrize("guess", [0, 999999, "abc", None, "1 OR 1=1"])
def test_guessed_ids_are_404(cast, jc_case, guess):
    with pytest.raises(Http404):
        get_case_for_user(cast.other_citizen, guess)


def test_case_handed_to_another_hall_is_seen_by_that_hall(cast, jc_case):
    jc_case.handed_to_hall = cast.halls["YD"]
    jc_case.save()
    assert cases_for_user(cast.other_clerk).filter(pk=jc_case.pk).exists()
    assert cases_for_user(cast.clerk).filter(pk=jc_case.pk).exists()  # the receiving side keeps sight


def test_city_supervisor_sees_county_cases_and_other_county_supervisor_does_not(cast, jc_case):
    city = User.objects.get(username=staff_username("YJ", StaffRole.SUPERVISOR))
    yd = User.objects.get(username=staff_username("YD", StaffRole.SUPERVISOR))
    assert cases_for_user(city).filter(pk=jc_case.pk).exists()
    assert not cases_for_user(yd).filter(pk=jc_case.pk).exists()


def test_supervisor_reads_the_case_of_their_region_only(cast, jc_case):
    """A supervisor's scope is checked in a query apart from the read of the case: another county's
    supervisor, or a number that is none, gets the same 404."""
    city = User.objects.get(username=staff_username("YJ", StaffRole.SUPERVISOR))
    yd = User.objects.get(username=staff_username("YD", StaffRole.SUPERVISOR))
    with pytest.raises(Http404):
        get_case_for_user(yd, jc_case.pk)
    with pytest.raises(Http404):
        get_case_for_user(city, "abc")
    assert get_case_for_user(city, jc_case.pk) == jc_case


def test_enterprise_case_seen_by_its_agent_only(cast):
    enterprise = EnterpriseFactory()
    case = CaseFactory(applicant=enterprise.agent, enterprise=enterprise, applicant_name=enterprise.name)
    assert list(cases_for_user(enterprise.agent)) == [case]
    assert not cases_for_user(cast.citizen).exists()


def test_citizen_sees_only_own_cases(cast, jc_case):
    other = CaseFactory(applicant=cast.other_citizen)
    assert list(cases_for_user(cast.citizen)) == [jc_case]
    assert list(cases_for_user(cast.other_citizen)) == [other]


def test_progress_lookup_needs_number_and_mobile(cast, jc_case):
    assert progress_lookup(jc_case.number, cast.citizen.mobile) == jc_case
    assert progress_lookup(jc_case.number.lower(), cast.citizen.mobile) == jc_case
    assert progress_lookup(jc_case.number, "13000000000") is None
    assert progress_lookup("JC000000000", cast.citizen.mobile) is None
    assert progress_lookup("", "") is None


def test_scope_query_count_does_not_grow_with_cases(cast, django_assert_max_num_queries):
    for _ in range(5):
        CaseFactory(applicant=cast.citizen, submitted=True)
    clerk = User.objects.get(pk=cast.clerk.pk)
    with django_assert_max_num_queries(2):
        cases = list(cases_for_user(clerk))
        [c.item_version.name for c in cases]
    assert len(cases) == 5


def test_materials_by_guide_and_timeline(cast):
    from cases import services
    from cases.selectors import case_timeline, materials_by_guide

    from .factories import pdf_upload
    from .helpers import draft_case

    case = draft_case(cast)
    first = case.item_version.materials.get(name="申请书")
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("旧.pdf"), material=first)
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("新.pdf"), material=first)
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("说明.pdf"))
    rows, extra = materials_by_guide(case)
    assert [(m.name, [f.original_name for f in files]) for m, files in rows] == [
        ("申请书", ["新.pdf"]),
        ("申请人身份证明", []),
    ]
    assert [f.original_name for f in extra] == ["说明.pdf"]
    assert [e.kind for e in case_timeline(case)] == ["created", "material_added", "material_replaced", "material_added"]


@pytest.mark.parametrize("who", ["clerk", "approver", "supervisor", "result_clerk"])
def test_drafts_are_the_applicants_own(cast, who):
    draft = CaseFactory(applicant=cast.citizen)
    assert cases_for_user(cast.citizen).filter(pk=draft.pk).exists()
    assert not cases_for_user(getattr(cast, who)).filter(pk=draft.pk).exists()
    with pytest.raises(Http404):
        get_case_for_user(getattr(cast, who), draft.pk)


@pytest.mark.parametrize("who,queries", [("clerk", 3), ("supervisor", 5)])
def test_a_case_page_reads_its_case_and_its_halls_once(cast, jc_case, who, queries, django_assert_num_queries):
    """A clerk's case in one query, its halls in another and its applicant by key (fewer joins to plan); a
    supervisor's after the counties their scope reads and the check of that scope in a query of its own
    (its joins to the halls' and department's regions would be planned beside the case's), the halls with
    their regions. Everything the header names is then read, a supervisor's regions included."""
    jc_case.handed_to_hall = cast.halls["YD"]
    jc_case.custodian_hall = cast.halls["YD"]
    jc_case.save()
    user = User.objects.get(pk=getattr(cast, who).pk)
    get_case_for_user(user, jc_case.pk)  # the caller's assignments, read once per request
    with django_assert_num_queries(queries):
        case = get_case_for_user(user, jc_case.pk)
    with django_assert_num_queries(0):
        names = [case.receiving_hall.name, case.handed_to_hall.name, case.custodian_hall.name]
        names += [case.item_version.name, case.applicant.real_name, case.owning_department.name]
        if who == "supervisor":
            names += [case.receiving_hall.region.name, case.handed_to_hall.region.name]
            names += [case.owning_department.region.name]
    assert names[:3] == [cast.halls["JC"].name, cast.halls["YD"].name, cast.halls["YD"].name]
