// The idea page's Pine Script box: load the script when the box opens, copy it on a click.
(function () {
  "use strict";
  const box = document.getElementById("pine");
  if (!box) return;
  const text = document.getElementById("pine-text");
  const status = document.getElementById("pine-status");
  let loaded = false;
  async function load() {
    if (loaded) return;
    const res = await fetch(box.dataset.src, { credentials: "same-origin" });
    if (!res.ok) { status.textContent = "could not load the script (" + res.status + ")"; return; }
    text.value = await res.text();
    loaded = true;
  }
  box.addEventListener("toggle", () => { if (box.open) load(); });
  document.getElementById("pine-copy").addEventListener("click", async () => {
    await load();
    text.select();
    try {
      await navigator.clipboard.writeText(text.value);
      status.textContent = "copied";
    } catch (e) {
      status.textContent = document.execCommand("copy") ? "copied" : "select the text and copy it";
    }
  });
})();
