import pytest
from django.urls import reverse

from hall.crypto import blind_index
from hall.demo import make_credit_code, make_id_number
from hall.models import Enterprise, User
from hall.selectors import user_by_id_number, user_by_mobile

pytestmark = pytest.mark.django_db

GOOD_ID = make_id_number("441702", "19910203", "135")


def person(**overrides):
    data = {
        "real_name": "赵敏",
        "id_number": GOOD_ID,
        "mobile": "13912345678",
        "password1": "Yangjiang#88",
        "password2": "Yangjiang#88",
    }
    data.update(overrides)
    return data


def test_person_registers_and_is_logged_in(client):
    response = client.post(reverse("register"), person())
    assert response.status_code == 302
    user = user_by_mobile("13912345678")
    assert user.id_number == GOOD_ID and user.kind == "person"
    assert client.get(reverse("workbench")).status_code == 200


def test_lowercase_x_is_normalised(client):
    client.post(reverse("register"), person(id_number="11010519491231002x"))
    assert user_by_id_number("11010519491231002X") is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "110105194912310021", "身份证号校验位不正确"),
        ("id_number", "123", "身份证号应为18位"),
        ("mobile", "12345678901", "手机号应为11位"),
        ("password2", "Different#99", "两次输入的密码不一致"),
        ("password1", "12345678", "密码"),
        ("real_name", "", "这个字段是必填项"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, field, value, message):
    data = person(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = client.post(reverse("register"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert user_by_mobile(data["mobile"]) is None


def test_duplicate_mobile_and_id_number_are_refused(client):
    client.post(reverse("register"), person())
    client.logout()
    response = client.post(reverse("register"), person())
    errors = response.context["form"].errors
    assert "该身份证号已注册" in errors["id_number"][0]
    assert "该手机号已注册" in errors["mobile"][0]
    assert User.objects.filter(mobile_index=blind_index("13912345678")).count() == 1


def test_enterprise_registers_with_its_agent(client):
    credit = make_credit_code("91", "441702", "MA5000001")
    data = person(enterprise_name="阳江刀剪有限公司", credit_code=credit, legal_representative="黄强")
    response = client.post(reverse("register_enterprise"), data)
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(credit_code=credit)
    assert enterprise.agent.kind == "enterprise" and enterprise.agent.real_name == "赵敏"


def test_enterprise_with_bad_credit_code_saves_nothing(client):
    good = make_credit_code("91", "441702", "MA5000001")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    data = person(enterprise_name="阳江刀剪有限公司", credit_code=wrong_check, legal_representative="黄强")
    response = client.post(reverse("register_enterprise"), data)
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not User.objects.exists() and not Enterprise.objects.exists()
