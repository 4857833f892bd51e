// Scripts of jobdash.ui.page.urlstate.UrlState (ReactiveHTML): Panel runs each function's
// body as the script of its name. String data reaches the scripts HTML-escaped: "&amp;" is
// put back to "&".

export function render(model, data, state, view, script, self) {
  state.pop = () => {
    data.location = `${Date.now()} ${window.location.search}`;
  };
  window.addEventListener("popstate", state.pop);
  self.url();
}

export function url(model, data, state, view, script, self) {
  const entry = data.url.replace(/&amp;/g, "&");
  const cut = entry.indexOf(" ");
  const wanted = cut < 0 ? "" : entry.slice(cut + 1);
  if (cut >= 0 && wanted !== window.location.search) {
    const address = window.location.pathname + wanted + window.location.hash;
    if (entry.slice(0, cut) === "replace") {
      window.history.replaceState(window.history.state, "", address);
    } else {
      window.history.pushState({}, "", address);
    }
  }
}

export function remove(model, data, state, view, script, self) {
  window.removeEventListener("popstate", state.pop);
}
