// Progressive enhancement only: every page works without this file.
import { initAll } from "govuk-frontend";

initAll();

// "Tried before?" as you type: the same fragment the "Check" button shows, fetched after a pause.
const panel = document.querySelector("[data-tried-before]");
if (panel) {
  const form = panel.closest("form");
  const url = panel.getAttribute("data-tried-before");
  let timer = null;
  let last = "";
  const refresh = () => {
    const data = new FormData(form);
    const key = ["title", "problem", "proposal"].map((n) => data.get(n) || "").join("\u0000");
    if (key === last || (data.get("title") || "").trim().length < 3) return;
    last = key;
    fetch(url, { method: "POST", body: new URLSearchParams(data), headers: { "X-Requested-With": "fetch" } })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => { if (html !== null) panel.innerHTML = html; })
      .catch(() => {});
  };
  form.addEventListener("input", (event) => {
    if (!["title", "problem", "proposal"].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
}

// Dot voting: how many dots are left, as the person spreads them.
const budget = document.querySelector("[data-dot-budget]");
if (budget) {
  const total = Number(budget.getAttribute("data-dot-budget"));
  const inputs = document.querySelectorAll("input[data-dots]");
  const left = budget.querySelector("[data-dots-left]");
  const update = () => {
    let used = 0;
    inputs.forEach((i) => { used += Math.max(0, parseInt(i.value || "0", 10) || 0); });
    left.textContent = String(total - used);
    budget.classList.toggle("app-budget--over", used > total);
  };
  inputs.forEach((i) => i.addEventListener("input", update));
  update();
}
