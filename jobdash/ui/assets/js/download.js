// Scripts of jobdash.ui.shared.download.Downloader (ReactiveHTML): Panel runs each
// function's body as the script of its name. Each new `sent` saves the payload (a workbook,
// base64) under its file name.

export function sent(model, data, state, view, script, self) {
  const bytes = Uint8Array.from(atob(data.payload), (c) => c.charCodeAt(0));
  const type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = data.filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
