// Scripts of jobdash.ui.page.filters.DateField (ReactiveHTML): Panel runs each function's
// body as the script of its name. The field is typed as YYYY-MM-DD; its calendar button opens
// the browser's date picker (a date input kept out of sight and out of the tab order, whose
// value is always YYYY-MM-DD whatever the locale) and the day chosen is written in the field.

export function pick(model, data, state, view, script, self, input, picker) {
  picker.value = /^\d{4}-\d{2}-\d{2}$/.test(input.value) ? input.value : "";
  try {
    picker.showPicker();
  } catch {
    input.focus(); // no picker in this browser: the field is typed
  }
}

export function picked(model, data, state, view, script, self, input, picker) {
  if (picker.value) {
    input.value = picker.value;
    data.value = picker.value;
    input.focus();
  }
}
