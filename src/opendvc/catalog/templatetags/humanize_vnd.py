from django import template

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """50000 -> '50.000 đ' (Vietnamese groups thousands with dots)."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"
