from django.middleware.locale import LocaleMiddleware


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the visitor chose another language with the switch (cookie or session).

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so a hall terminal
    or a phone set to English would open the portal in English. The portal speaks Chinese first;
    the language switch is the only way to change it."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
