from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "出件与归档"

    def ready(self):
        # cases asks "does this holder already hold this certificate?" through its registry (imports
        # point from delivery to cases, never back).
        from cases.registry import register_certificate_lookup

        from .selectors import held_certificate

        register_certificate_lookup(held_certificate)
