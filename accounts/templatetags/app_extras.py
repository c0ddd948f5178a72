from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ hints|get_item:role }}`: look a value up by a variable key."""
    return mapping.get(key, "") if mapping else ""
