// Scripts of jobdash.ui.failures.view.SignatureList (ReactiveHTML): Panel runs each
// function's body as the script of its name; `list` is the template's node. Every text
// arrives as plain text and is set with textContent (never parsed as HTML).

export function render(model, data, state, view, script, self) {
  self.draw();
}

export function rows(model, data, state, view, script, self) {
  self.draw();
}

export function active(model, data, state, view, script, self) {
  self.draw();
}

export function draw(model, data, state, view, script, self, list) {
  const root = list.getRootNode();
  const focused = root.activeElement;
  const focusKey = focused && list.contains(focused) ? focused.dataset.key : null;
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  };
  list.replaceChildren();
  if (data.active.length) {
    const line = list.appendChild(el("div", "jd-filter"));
    line.setAttribute("role", "status");
    const text = line.appendChild(el("span", null, "The job table shows the failed jobs with "));
    text.appendChild(el("strong", null, data.active[0]));
    const clear = line.appendChild(el("button", null, "Show all jobs"));
    clear.type = "button";
    clear.dataset.key = "clear";
    clear.addEventListener("click", () => {
      data.clear_clicks += 1;
    });
  }
  if (!data.rows.length) {
    list.appendChild(el("p", "jd-empty", "No failed jobs match the current filters."));
    return;
  }
  const table = el("table");
  table.appendChild(el("caption", null, "Failed jobs by cause, most frequent first"));
  const head = el("tr");
  for (const [name, cls] of [
    ["Cause", ""],
    ["Jobs", "jd-num"],
    ["Last seen", ""],
    ["Configurations", ""],
    [`Last ${data.days} days`, ""],
    ["Actions", ""],
  ]) {
    const th = el("th", cls, name);
    th.scope = "col";
    head.appendChild(th);
  }
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  const box = data.spark;
  data.rows.forEach((r, i) => {
    const tr = body.appendChild(el("tr"));
    if (r.active) {
      tr.setAttribute("aria-current", "true");
    }
    const sig = tr.appendChild(el("td"));
    sig.appendChild(el("span", "jd-sig", r.text));
    if (r.example) {
      sig.appendChild(el("span", "jd-example", r.example));
    }
    sig.appendChild(el("span", "jd-sub", [r.share, r.steps].filter(Boolean).join(" · ")));
    if (r.active) {
      sig.appendChild(el("span", "jd-shown", "Shown in the job table"));
    }
    tr.appendChild(el("td", "jd-num", r.jobs_text));
    tr.appendChild(el("td", null, r.last_seen));
    const cfg = tr.appendChild(el("td", null, r.configurations));
    cfg.title = r.configurations_all;
    const svgNS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("width", box.width);
    svg.setAttribute("height", box.height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", r.trend);
    const title = document.createElementNS(svgNS, "title");
    title.textContent = r.trend;
    svg.appendChild(title);
    const base = document.createElementNS(svgNS, "line");
    for (const [k, v] of [
      ["x1", 0],
      ["x2", box.width],
      ["y1", box.baseline],
      ["y2", box.baseline],
    ]) {
      base.setAttribute(k, v);
    }
    svg.appendChild(base);
    const line = document.createElementNS(svgNS, "polyline");
    line.setAttribute("points", r.points);
    svg.appendChild(line);
    tr.appendChild(el("td")).appendChild(svg);
    const acts = tr.appendChild(el("td")).appendChild(el("div", "jd-acts"));
    const show = acts.appendChild(el("button", "jd-show", "Show jobs"));
    show.type = "button";
    show.dataset.key = `show-${i}`;
    show.setAttribute("aria-label", `Show jobs failing with: ${r.text}`);
    show.addEventListener("click", () => {
      data.show_request = r.signature;
    });
    const rerun = acts.appendChild(el("button", "jd-rerun", r.rerun));
    rerun.type = "button";
    rerun.dataset.key = `rerun-${i}`;
    rerun.setAttribute("aria-label", `${r.rerun} failing with: ${r.text}`);
    rerun.addEventListener("click", () => {
      data.rerun_request = r.signature;
    });
  });
  list.appendChild(table);
  if (focusKey) {
    const again = list.querySelector(`[data-key="${focusKey}"]`);
    if (again) {
      again.focus();
    }
  }
}
