// Live turnout (counts only, never choices): each [data-turnout] element asks its address every 5 s
// while the vote is open. Without this script the dashboard has a "Refresh the count" link and the
// projector reloads itself (<noscript> refresh).
const counters = document.querySelectorAll("[data-turnout]");
counters.forEach((counter) => {
  const url = counter.getAttribute("data-turnout");
  const voters = counter.querySelector("[data-voters]");
  const words = counter.querySelector("[data-voters-words]");
  const poll = () => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((answer) => {
        if (!answer) return;
        if (voters.textContent !== String(answer.voters)) {
          voters.textContent = String(answer.voters);
          if (words) words.textContent = answer.voters === 1 ? "person has" : "people have";
        }
        if (answer.phase === "open") setTimeout(poll, 5000);
      })
      .catch(() => setTimeout(poll, 15000));
  };
  setTimeout(poll, 5000);
});
// The refresh links are for pages without this script.
document.querySelectorAll(".app-refresh").forEach((link) => { link.hidden = true; });
