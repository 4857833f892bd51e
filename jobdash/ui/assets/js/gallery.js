// Scripts of jobdash.ui.job.gallery.Gallery (ReactiveHTML): Panel runs each function's body
// as the script of its name; `grid`, `large` and `back` are the template's nodes.

export function render(model, data, state, view, script, self, grid, large, back) {
  state.build = () => {
    grid.replaceChildren();
    const items = data.shown.items;
    if (!items.length) {
      const empty = document.createElement("div");
      empty.className = "jd-empty";
      empty.textContent = data.shown.empty;
      grid.appendChild(empty);
      return;
    }
    const missing = () => {
      const box = document.createElement("div");
      box.className = "jd-missing";
      box.textContent = "Image file missing";
      return box;
    };
    for (const it of items) {
      const card = document.createElement("div");
      card.className = "jd-card";
      card.setAttribute("role", "listitem");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "jd-thumb";
      button.dataset.id = it.id;
      button.setAttribute("aria-label", `Open ${it.name}`);
      if (it.src) {
        const img = document.createElement("img");
        img.loading = "lazy";
        img.decoding = "async";
        img.alt = "";
        img.src = it.src;
        img.width = 120;
        img.height = 120;
        img.addEventListener("error", () => img.replaceWith(missing()));
        button.appendChild(img);
      } else {
        button.appendChild(missing());
      }
      button.addEventListener("click", () => {
        data.opened = it.id;
        state.show();
        back.focus();
      });
      const foot = document.createElement("div");
      foot.className = "jd-card-foot";
      const badge = document.createElement("span");
      badge.className = `jd-qc jd-qc-${it.status}`;
      badge.textContent = it.label;
      badge.title = it.label;
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.checked = data.chosen.includes(it.id);
      tick.setAttribute("aria-label", `Select image ${it.id}`);
      tick.addEventListener("change", () => {
        const rest = data.chosen.filter((id) => id !== it.id);
        data.chosen = tick.checked ? rest.concat([it.id]) : rest;
      });
      foot.append(badge, tick);
      card.append(button, foot);
      grid.appendChild(card);
    }
  };
  state.show = () => {
    const open = data.opened != null;
    grid.hidden = open;
    large.hidden = !open;
  };
  // Back to the thumbnails, focus on the card that was opened.
  state.back = () => {
    const id = data.opened;
    data.opened = null;
    state.show();
    const card = grid.querySelector(`[data-id="${id}"]`);
    if (card) {
      card.focus();
    }
  };
  back.addEventListener("click", () => state.back());
  // A cancelled Escape keydown is no close request: the dialog stays open.
  large.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      state.back();
    }
  });
  state.build();
  state.show();
}

export function shown(model, data, state) {
  state.build();
}

export function opened(model, data, state) {
  state.show();
}
