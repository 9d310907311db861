from django import template

from ..documents import document_signature_state

register = template.Library()


@register.simple_tag
def document_signature(document):
    """The SM2 signature state of an issued document (cases.documents.document_signature_state)."""
    return document_signature_state(document)
