// The job table's row actions menu (jobdash.ui.shared.keys.RowMenu); its helpers come from
// keys.js (self.setup). A row's ⋮ button (button.jd-more, data-job = the job id), a right-click
// on the row or the context-menu key on it opens a role=menu of data.items in the table's
// shadow root, beside the grid (styled by table.css), at the button or the pointer; the chosen item is reported
// as data.chosen = [action, job id]. Only jobdash's table (host class data.table_class).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { listen } = state;
  const ours = (el) => el?.getRootNode?.().host?.classList.contains(data.table_class);
  let menu = null;
  let opener = null;
  const close = (refocus) => {
    if (menu == null) {
      return;
    }
    menu.remove();
    menu = null;
    opener?.setAttribute("aria-expanded", "false");
    if (refocus && opener?.isConnected) {
      opener.focus();
    }
    opener = null;
  };
  const move = (items, at) => items[(at + items.length) % items.length].focus();
  const open = (button, x, y) => {
    close(false);
    if (data.disabled) {
      return;
    }
    const job = Number(button.dataset.job);
    menu = document.createElement("div");
    menu.className = "jd-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", button.getAttribute("aria-label"));
    for (const [action, label] of data.items) {
      const item = document.createElement("button");
      item.type = "button";
      item.tabIndex = -1;
      item.className = `jd-menu-item jd-menu-${action}`;
      item.setAttribute("role", "menuitem");
      item.textContent = label;
      item.addEventListener("click", () => {
        close(true);
        data.chosen = [action, job];
      });
      menu.appendChild(item);
    }
    menu.addEventListener("keydown", (event) => {
      const items = [...menu.querySelectorAll("[role=menuitem]")];
      const at = items.indexOf(event.composedPath()[0]);
      const keys = {
        ArrowDown: () => move(items, at + 1),
        ArrowUp: () => move(items, at - 1),
        Home: () => move(items, 0),
        End: () => move(items, -1),
        Escape: () => close(true),
        Tab: () => close(true),
      };
      if (keys[event.key]) {
        event.preventDefault();
        event.stopPropagation();
        keys[event.key]();
      }
    });
    // Beside the grid, not in it: a grid holds rows only (ARIA), so a menu inside it breaks it.
    button.closest(".tabulator").after(menu);
    const box = button.getBoundingClientRect();
    const left = x ?? box.right - menu.offsetWidth;
    const below = y ?? box.bottom + 4;
    // Inside the window: above the point when it would run off the bottom.
    const fits = below + menu.offsetHeight <= innerHeight - 4;
    const top = fits ? below : Math.max(4, (y ?? box.top) - menu.offsetHeight - 4);
    // A layout of the page may hold fixed boxes (a containing block of its own): placed at
    // 0, 0 first, the menu shows where that is.
    menu.style.left = "0px";
    menu.style.top = "0px";
    const origin = menu.getBoundingClientRect();
    const clamped = Math.max(4, Math.min(left, innerWidth - menu.offsetWidth - 4));
    menu.style.left = `${clamped - origin.left}px`;
    menu.style.top = `${top - origin.top}px`;
    opener = button;
    button.setAttribute("aria-expanded", "true");
    menu.firstChild.focus();
  };
  state.close = close;
  listen(
    "click",
    (event) => {
      const target = event.composedPath()[0];
      const button = target.closest?.("button.jd-more");
      if (button && ours(button)) {
        event.stopPropagation();
        if (opener === button) {
          close(true);
        } else {
          open(button);
        }
      }
    },
    true,
  );
  listen(
    "pointerdown",
    (event) => {
      if (menu && !event.composedPath().includes(menu)) {
        const button = event.composedPath()[0].closest?.("button.jd-more");
        if (button !== opener) {
          close(false);
        }
      }
    },
    true,
  );
  listen("contextmenu", (event) => {
    const target = event.composedPath()[0];
    const row = target.closest?.(".tabulator-row");
    const button = row?.querySelector("button.jd-more");
    if (button == null || !ours(button)) {
      return;
    }
    event.preventDefault();
    // The context-menu key (or Shift+F10) reports no pointer: the menu opens at the button.
    if (event.button === 2) {
      open(button, event.clientX, event.clientY);
    } else {
      open(button);
    }
  });
}

// While data.disabled the ⋮ buttons of jobdash's table say so (aria-disabled, and the table's
// host class jd-menus-off greys them) and an open menu closes.
export function disabled(model, data, state, view, script, self) {
  state.close?.(false);
  for (const host of state.deepAll(document, `.${data.table_class}`)) {
    host.classList.toggle("jd-menus-off", data.disabled);
    for (const button of host.shadowRoot?.querySelectorAll("button.jd-more") ?? []) {
      if (data.disabled) {
        button.setAttribute("aria-disabled", "true");
      } else {
        button.removeAttribute("aria-disabled");
      }
    }
  }
}
