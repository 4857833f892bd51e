// Scripts of jobdash.ui.job.info.JobInfo (ReactiveHTML): `info` is the template's node.
// The parent's button sits in the pane's shadow root: the click's composed path names it.

export function render(model, data, state, view, script, self, info) {
  info.addEventListener("click", (event) => {
    const button = event.composedPath().find((el) => el.dataset?.job);
    if (button) {
      data.requested = Number(button.dataset.job);
    }
  });
}
