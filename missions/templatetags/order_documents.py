"""``{% order_documents order %}``: the order's PDF versions panel on the order page."""

from django import template

from missions.views_documents import documents_panel

register = template.Library()


@register.inclusion_tag("missions/documents/_list.html", takes_context=True)
def order_documents(context, order):
    request = context.get("request")
    panel = documents_panel(request.user if request else None, order)
    panel["csrf_token"] = context.get("csrf_token")
    return panel
