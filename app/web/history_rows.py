"""The history table's rows made in Python, one string each (the case page's thirty events and
the auditors' pages of them): a row drawn by the template cost some forty template steps (its
cells, the raw event's eight fields, escapes). Every value is escaped as the template escaped
it, the translations trusted as its ``_()`` trusts them; each heading, formatter and URL is made
once a table. The HTML is byte for byte what the macro ``history_table`` drew."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.web.filters import date_times, raw_json, url_prefix
from app.workflows.history import EventView

# The table's words, translated once a table.
_WORDS = (
    _l("When"),
    _l("Who"),
    _l("What was done"),
    _l("Case"),
    _l("Reason"),
    _l("Event"),
    _l("action"),
    _l("object"),
    _l("before"),
    _l("after"),
    _l("hash"),
    _l("previous hash"),
)


def history_rows(events: Sequence[EventView], with_case: bool) -> Markup:
    """The rows of the history table (``with_case``: with the column of the event's case)."""
    (when_, who, what, case_, reason, event, action, object_, before, after, hash_, previous) = (
        Markup(str(w))  # noqa: S704 -- the catalogue, trusted as the template's _() trusts it
        for w in _WORDS
    )
    when, case_url = date_times(), escape(url_prefix("cases.case_detail", "case_id"))
    rows = []
    for v in events:
        e, actor, sentence = v.event, v.actor, v.sentence
        role = f'<div class="muted">{escape(v.role)}</div>' if actor != v.role else ""
        change = f'<div class="change">{escape(sentence)}</div>' if sentence else ""
        case_cell = ""
        if with_case:
            link = f'<a href="{case_url}{escape(e.case_id)}">№ {escape(e.case_id)}</a>'
            case_cell = f'<td data-label="{case_}">{link if e.case_id else ""}</td>'
        rows.append(
            "\n    <tr>\n"
            f'      <td class="nowrap" data-label="{when_}">{escape(when(e.occurred_at))}</td>\n'
            f'      <td data-label="{who}">{escape(actor)}{role}</td>\n'
            f'      <td data-label="{what}"><strong>{escape(v.action)}</strong>{change}</td>\n'
            f"      {case_cell}\n"
            f'      <td data-label="{reason}">{escape(e.reason or "")}</td>\n'
            f'      <td data-label="{event}"><details class="raw"><summary>№ {escape(e.seq)}'
            "</summary>\n"
            f'        <dl class="raw-event"><dt>{action}</dt><dd><code>{escape(e.action)}'
            "</code></dd>\n"
            f"        <dt>{object_}</dt><dd><code>{escape(e.object_type)} "
            f"{escape(e.object_id or '')}</code></dd>\n"
            f"        <dt>{before}</dt><dd><code>{escape(raw_json(e.before))}</code></dd>\n"
            f"        <dt>{after}</dt><dd><code>{escape(raw_json(e.after))}</code></dd>\n"
            f"        <dt>{hash_}</dt><dd><code>{escape(e.hash)}</code></dd>\n"
            f"        <dt>{previous}</dt><dd><code>{escape(e.prev_hash)}</code></dd></dl>\n"
            "      </details></td>\n"
            "    </tr>\n  "
        )
    return Markup("".join(rows))  # noqa: S704 -- every value above is escaped
