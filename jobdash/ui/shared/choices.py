"""Multi-choice inputs named by their label: Bokeh draws the visible label for the hidden
``<select>`` that Choices.js replaces, so the combobox a person uses had no accessible name
(assistive technology announced only its placeholder, "All statuses"). One helper per page
wraps Bokeh's multi-choice view so the combobox of each of jobdash's multi-choices (tagged
:data:`~jobdash.ui.shared.hidden.OWN`), drawn now or later, is named by its widget's label;
any other multi-choice draws as stock. It applies only with the Panel and Bokeh versions it
was written for. Code: ``assets/js/choices.js``; the upstream bug:
``docs/upstream/multichoice-accessible-name.md``. Without Bokeh's multi-choice view it does
nothing."""

from __future__ import annotations

from jobdash.ui.shared.hidden import Patch, patch_scripts


class NamedChoices(Patch):
    """Names jobdash's multi-choice comboboxes by their titles (one per page is enough)."""

    _template = '<div id="choices" hidden></div>'

    _scripts = patch_scripts("choices")
