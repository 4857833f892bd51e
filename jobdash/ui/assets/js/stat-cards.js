// Scripts of jobdash.ui.page.stats.StatCards (ReactiveHTML): Panel runs each function's
// body as the script of its name; `bar` is the template's node.

export function render(model, data, state, view, script, self) {
  self.draw();
}

export function cards(model, data, state, view, script, self) {
  self.draw();
}

export function draw(model, data, state, view, script, self, bar) {
  const root = bar.getRootNode();
  const active = root.activeElement;
  const focused = active?.dataset?.key ?? null;
  bar.replaceChildren();
  for (const card of data.cards) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "jd-card";
    b.dataset.tone = card.key;
    b.dataset.key = card.key;
    b.setAttribute("aria-pressed", String(card.active));
    for (const [cls, text] of [
      ["jd-card-title", card.title],
      ["jd-card-value", card.value],
      ["jd-card-detail", card.detail],
    ]) {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      b.appendChild(span);
    }
    b.addEventListener("click", () => {
      data.chosen = card.key;
    });
    if (card.link) {
      // A link beside the card's title (a sibling: a button holds no button).
      const box = document.createElement("div");
      box.className = "jd-card-box";
      box.appendChild(b);
      const link = document.createElement("button");
      link.type = "button";
      link.className = "jd-card-link";
      link.dataset.key = "causes";
      link.textContent = `${card.link} →`;
      // Named with its visible text first ("Causes of failed jobs"): WCAG 2.5.3.
      link.setAttribute("aria-label", `${card.link} of ${card.title.toLowerCase()} jobs`);
      link.addEventListener("click", () => {
        data.chosen = "causes";
      });
      box.appendChild(link);
      bar.appendChild(box);
      if (focused === "causes") {
        link.focus();
      }
    } else {
      bar.appendChild(b);
    }
    if (card.key === focused) {
      b.focus();
    }
  }
}
