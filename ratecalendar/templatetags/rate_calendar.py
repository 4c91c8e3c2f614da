"""The calendar grid's body, written in Python: 20 room types x 3 rows x 31 nights is nearly 2 000 cells, which the
template language renders several times slower than this (bench/rate_calendar.py). Every text is escaped."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def calendar_body(calendar) -> str:
    out = []
    for row in calendar.rows:
        rt = row.room_type
        out.append(f'<tbody class="room-type" id="rt-{escape(rt.code)}"><tr class="availability">'
                   f'<th scope="row" class="rt" data-room-type="{rt.pk}">{escape(rt.code)}'
                   f'<span class="name">{escape(rt.name)}</span></th>')
        for cell in row.days:
            if not cell.is_open:
                out.append('<td class="avail closed" title="No inventory open">&ndash;</td>')
                continue
            left = cell.left
            badges = "".join(f'<span class="badge b-{b.code.lower()}" title="{escape(b.title)}">{escape(b.label)}'
                             "</span>" for b in cell.badges)
            out.append(f'<td class="avail{" full" if left == 0 else ""}" data-date="{cell.date.isoformat()}">'
                       f'<span class="sl"><span class="sold">{cell.sold}</span>/<span class="left">{left}</span>'
                       f"</span>{badges}</td>")
        out.append("</tr>")
        for plan_row in row.plans:
            plan = plan_row.plan
            derived = plan_row.is_derived
            follows = f'<span class="follows">{escape(plan_row.derivation)}</span>' if derived else ""
            out.append(f'<tr class="plan{" derived" if derived else ""}" data-plan="{escape(plan.code)}">'
                       f'<th scope="row">{escape(plan.code)}{follows}</th>')
            out.extend(f'<td class="price{" override" if c.overridden else ""}">'
                       f'{"&ndash;" if c.amount is None else c.amount}</td>' for c in plan_row.cells)
            out.append("</tr>")
        out.append("</tbody>")
    if not calendar.rows:
        out.append(f'<tbody><tr><td colspan="{len(calendar.dates) + 1}">This hotel has no room types yet.</td></tr>'
                   "</tbody>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number
