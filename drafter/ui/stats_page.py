"""Statistics page (administrators): how Drafter is used, where it helps and where it fails.

Numbers come from `DrafterService.statistics()` (drafter/stats.py); this page only draws them. Each chart
has a one-sentence caption in plain language, and its numbers as a table and a CSV download.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from drafter.i18n import N_, _
from drafter.roles import Role
from drafter.stats import Row, Statistics, to_csv
from drafter.ui.common import attempt, current_user, get_service, has_role, page_header

# the statistics' category values, named in the interface language on the charts (the CSV keeps them as they are)
VALUE_TEXT = {
    "started": N_("started"), "submitted": N_("submitted"), "approved": N_("approved"), "exported": N_("exported"),
    "AI-generated, unedited": N_("AI-generated, unedited"), "AI-generated, edited": N_("AI-generated, edited"),
    "Written by a person": N_("Written by a person"),
    "open": N_("open"), "waived": N_("waived"), "resolved": N_("resolved"),
    "generation_failed": N_("generation failed"), "retried": N_("retried"), "call_errors": N_("call errors"),
    "input_tokens": N_("input tokens"), "output_tokens": N_("output tokens"),
}
STEPS = ["started", "submitted", "approved", "exported"]


def named(value: str) -> str:
    return _(VALUE_TEXT[value]) if value in VALUE_TEXT else value


def _named_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame[column] = frame[column].map(named)
    return frame


def render() -> None:
    service = get_service()
    user = current_user()
    if user is None:
        return
    if not has_role(service, user, Role.admin):  # the navigation hides it; this guards a direct link
        st.error(_("The statistics page is for administrators."))
        return
    page_header(
        _("Statistics"),
        _("How Drafter is used: activity per week, time to approval, templates, how much AI text survives review, "
          "what the checks find, failures and tokens. Computed from the drafts and the audit log."),
    )
    stats = attempt(N_("computing the statistics"), service.statistics)
    if stats is None:
        return
    if not stats.weekly:
        st.info(_("Nothing to show yet: statistics appear once drafts have been started."))
        return
    show_all(stats)


def show_all(stats: Statistics) -> None:
    weekly = pd.DataFrame(stats.weekly)
    long = _named_column(weekly.melt("week", var_name="step", value_name="drafts"), "step")
    steps = [named(s) for s in STEPS]
    block(
        _("Drafts per week"),
        _("How many drafts were started, submitted for review, approved and exported in each ISO week."),
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("week:N", title=_("Week")),
            xOffset=alt.XOffset("step:N", sort=steps),
            y=alt.Y("drafts:Q", title=_("Drafts"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("step:N", title=_("Step"), sort=steps),
            tooltip=["week", "step", "drafts"],
        ),
        stats.weekly,
        "weekly",
    )

    summary = stats.approval_summary
    if stats.approval_hours:
        caption = (
            _("The one approved draft was approved {duration} after it was started.",
              duration=_duration(summary["median_hours"]))
            if summary["approved"] == 1
            else _("Half of the {n} approved drafts were approved within {median} of being started, and 9 in 10 "
                   "within {p90}.", n=summary["approved"], median=_duration(summary["median_hours"]),
                   p90=_duration(summary["p90_hours"]))
        )
        block(
            _("Time from draft to approval"),
            caption,
            alt.Chart(pd.DataFrame(stats.approval_hours))
            .mark_bar()
            .encode(
                x=alt.X("hours:Q", bin=alt.Bin(maxbins=20), title=_("Hours from start to approval")),
                y=alt.Y("count():Q", title=_("Drafts"), axis=alt.Axis(tickMinStep=1)),
                tooltip=[alt.Tooltip("count():Q", title=_("Drafts"))],
            ),
            stats.approval_hours,
            "approval-times",
        )
    else:
        st.subheader(_("Time from draft to approval"))
        st.caption(_("No draft has been approved yet."))

    block(
        _("Templates used"),
        _("Which templates people draft with, by number of drafts."),
        _bars(stats.templates, "template", "drafts", _("Template"), _("Drafts")),
        stats.templates,
        "templates",
    )

    if any(r["characters"] for r in stats.origin_share):
        unedited = next(r["share"] for r in stats.origin_share if r["origin"] == "AI-generated, unedited")
        block(
            _("How much AI text survives review unedited"),
            _("Of all exported text, {share} is AI-generated text that nobody changed; the rest was edited or "
              "written by a person.", share=f"{unedited:.0%}"),
            alt.Chart(_named_column(pd.DataFrame(stats.origin_share), "origin"))
            .mark_arc()
            .encode(
                theta=alt.Theta("characters:Q"),
                color=alt.Color("origin:N", title=_("Origin")),
                tooltip=["origin", "characters", alt.Tooltip("share:Q", format=".0%")],
            ),
            stats.origin_share,
            "exported-text-origin",
        )
    else:
        st.subheader(_("How much AI text survives review unedited"))
        st.caption(_("No document has been exported yet."))

    if stats.findings:
        block(
            _("Most frequent findings"),
            _("The automatic checks that fire most often, and what became of each finding "
              "(still open, waived by a reviewer with a reason, or fixed)."),
            alt.Chart(_named_column(pd.DataFrame(stats.findings).melt(["rule_id", "severity", "found"],
                                                                     var_name="status", value_name="findings"),
                                    "status"))
            .mark_bar()
            .encode(
                y=alt.Y("rule_id:N", sort="-x", title=_("Check")),
                x=alt.X("findings:Q", title=_("Findings"), axis=alt.Axis(tickMinStep=1)),
                color=alt.Color("status:N", title=_("Status")),
                tooltip=["rule_id", "severity", "status", "findings"],
            ),
            stats.findings,
            "findings",
        )
    if stats.waivers:
        block(
            _("Findings waived"),
            _("The checks whose findings reviewers most often waived, with a written reason."),
            _bars(stats.waivers, "rule_id", "waived", _("Check"), _("Waived")),
            stats.waivers,
            "waivers",
        )

    if stats.failures:
        long_failures = _named_column(pd.DataFrame(stats.failures).melt("backend", var_name="event",
                                                                        value_name="count"), "event")
        block(
            _("Generation failures and retries by backend"),
            _("How often each backend failed to write a draft, how often a person retried, and how many "
              "individual calls returned an error."),
            alt.Chart(long_failures)
            .mark_bar()
            .encode(
                x=alt.X("backend:N", title=_("Backend")),
                xOffset="event:N",
                y=alt.Y("count:Q", title=_("Count"), axis=alt.Axis(tickMinStep=1)),
                color=alt.Color("event:N", title=_("Event")),
                tooltip=["backend", "event", "count"],
            ),
            stats.failures,
            "failures",
        )
    else:
        st.subheader(_("Generation failures and retries by backend"))
        st.caption(_("No generation has failed."))

    if stats.tokens:
        priced = [r for r in stats.tokens if r["cost"] is not None]
        cost = (
            " " + _("At the configured prices they cost {cost} in total.",
                    cost=f"{sum(r['cost'] for r in priced):.2f}")
            if priced else " " + _("Set DRAFTER_PRICES to see their cost.")
        )
        tokens = pd.DataFrame(stats.tokens)
        tokens["label"] = tokens["backend"] + " · " + tokens["model"]
        block(
            _("Tokens by backend and model"),
            _("How much text was sent to and received from each model, in tokens.") + cost,
            alt.Chart(_named_column(tokens.melt(["label"], ["input_tokens", "output_tokens"], var_name="direction",
                                                value_name="tokens"), "direction"))
            .mark_bar()
            .encode(
                y=alt.Y("label:N", title=_("Backend · model")),
                x=alt.X("tokens:Q", title=_("Tokens"), stack=True),
                color=alt.Color("direction:N", title=_("Direction")),
                tooltip=["label", "direction", "tokens"],
            ),
            stats.tokens,
            "tokens",
        )


def _duration(hours: Any) -> str:
    if hours is None:
        return "–"
    if hours < 1 / 60:
        return _("less than a minute")
    if hours < 1:
        return _("{n} minutes", n=f"{hours * 60:.0f}")
    if hours < 48:
        return _("{n} hours", n=f"{hours:.1f}")
    return _("{n} days", n=f"{hours / 24:.1f}")


def _bars(rows: list[Row], category: str, value: str, category_title: str, value_title: str) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=category_title),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1)),
            tooltip=[category, value],
        )
    )


def block(title: str, caption: str, chart: alt.Chart, rows: list[Row], name: str) -> None:
    """One statistic: heading, plain-language caption, chart, then its numbers and a CSV download."""
    st.subheader(title)
    st.caption(caption)
    st.altair_chart(chart, width="stretch", alt=f"{title}. {caption}")
    with st.expander(_("Numbers: {title}", title=title)):
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.download_button(
            _("Download “{title}” as CSV", title=title),
            to_csv(rows),
            file_name=f"drafter-{name}.csv",
            mime="text/csv",
            key=f"csv-{name}",
            on_click="ignore",
        )
