"""Password rules in the citizen's words: an applicant registers with a mobile number and an ID
number and never chooses a "用户名", so the similarity rule names what they typed."""

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class PersonalDataSimilarityValidator(UserAttributeSimilarityValidator):
    DEFAULT_USER_ATTRIBUTES = ("real_name", "mobile", "id_number", "username")

    def __init__(self, user_attributes=DEFAULT_USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                _("密码与您的姓名、手机号或身份证号太相似，容易被人猜到，请换一个。"), code="password_too_similar"
            ) from None

    def get_help_text(self):
        return _("密码不能与您的姓名、手机号或身份证号相似。")
