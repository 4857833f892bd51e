// Scripts of jobdash.ui.page.pager.PageLinks (ReactiveHTML): Panel runs each function's
// body as the script of its name; `nav` is the template's node.

export function render(model, data, state, view, script, self) {
  self.draw();
}

export function numbers(model, data, state, view, script, self) {
  self.draw();
}

export function current(model, data, state, view, script, self) {
  self.draw();
}

export function draw(model, data, state, view, script, self, nav) {
  const root = nav.getRootNode();
  const hadFocus = nav.contains(root.activeElement);
  nav.replaceChildren();
  for (const p of data.numbers) {
    if (p === null) {
      const gap = document.createElement("span");
      gap.textContent = "…";
      gap.setAttribute("aria-hidden", "true");
      nav.appendChild(gap);
      continue;
    }
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = String(p);
    b.setAttribute("aria-label", `Page ${p}`);
    if (p === data.current) {
      b.setAttribute("aria-current", "page");
    }
    b.addEventListener("click", () => {
      data.requested = p;
    });
    nav.appendChild(b);
  }
  if (hadFocus) {
    const current = nav.querySelector("[aria-current]");
    if (current) {
      current.focus();
    }
  }
}
