// Keep shared timeline URLs short: leave empty filter fields out of the query.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters") return;
  const parameters = event.detail.parameters;
  for (const [name, value] of Array.from(parameters.entries())) {
    if (value === "") delete parameters[name];
  }
});

// On a narrow screen the open filter form would fill the first screen: fold it
// so that the events come first; without JavaScript it stays open. Its summary
// says how many filters are set, so that a folded panel hides none. Back and
// Forward bring a new copy of the form (htmx:historyRestore): set that up too.
function countSetFilters() {
  const form = document.getElementById("filters");
  const label = document.getElementById("active-filters");
  if (!form || !label) return;
  const set = Array.from(new FormData(form)).filter(
    ([name, value]) => name !== "order" && value !== "",
  ).length;
  label.textContent = set ? `(${set} set)` : "";
}

function setUpFilterPanel() {
  const panel = document.getElementById("filter-panel");
  if (!panel) return;
  countSetFilters();
  if (window.matchMedia("(max-width: 52rem)").matches) panel.open = false;
}

for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => {
    if (event.target.form?.id === "filters") countSetFilters();
  });
}
document.addEventListener("htmx:historyRestore", setUpFilterPanel);
setUpFilterPanel();
