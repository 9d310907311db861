from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "出件与归档"

    def ready(self):
        # cases asks "does this holder already hold this certificate?" through its registry (imports
        # point from delivery to cases, never back).
        from cases.registry import register_certificate_lookup, register_grant_revoked

        from .selectors import held_certificate
        from .services import certificates_revoke

        register_certificate_lookup(held_certificate)
        # A revoked grant (撤销行政许可) revokes its certificate in the same transaction.
        register_grant_revoked(certificates_revoke)
