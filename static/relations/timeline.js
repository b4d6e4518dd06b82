// Progressive enhancement of the timeline's filter form. Without JavaScript the
// form is a plain GET form and the server drops empty parameters by redirecting.

function filterQuery(form) {
  // The form's values as the server would put them in a URL, without empty fields.
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "") query.append(name, value);
  }
  return query;
}

// Keep shared timeline URLs short: leave empty filter fields out of the query.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters") return;
  const parameters = event.detail.parameters;
  for (const [name, value] of Array.from(parameters.entries())) {
    if (value === "") delete parameters[name];
  }
});

// One history entry per change: ticking a box already applied it, so pressing
// "Apply filters" afterwards asks for the page that is showing; skip it.
document.addEventListener("htmx:confirm", (event) => {
  const form = event.detail.elt;
  if (form.id !== "filters") return;
  const current = new URLSearchParams(window.location.search);
  current.delete("page");
  if (filterQuery(form).toString() === current.toString()) event.preventDefault();
});

// The axis, the chips and the page links change the filters from inside the
// results: set the form's controls to the filters the new results show
// (#results carries them in data-query), except the one being typed in.
function syncForm() {
  const form = document.getElementById("filters");
  const results = document.getElementById("results");
  if (!form || !results || results.dataset.query === undefined) return;
  const query = new URLSearchParams(results.dataset.query);
  for (const control of form.elements) {
    if (!control.name || control === document.activeElement) continue;
    const values = query.getAll(control.name);
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = values.includes(control.value);
    } else if (control.tagName === "SELECT" || control.tagName === "INPUT") {
      control.value = values[0] ?? "";
    }
  }
  countSetFilters();
}

// The folded panel's summary says how many filters are set, so that it hides none.
function countSetFilters() {
  const form = document.getElementById("filters");
  const label = document.getElementById("active-filters");
  if (!form || !label) return;
  const query = filterQuery(form);
  let set = Array.from(query.keys()).filter((name) => name !== "order").length;
  // As the chips (EventFilter.chips): one year, or a month of it, is one filter.
  const yearFrom = query.get("year_from");
  if (yearFrom && yearFrom === query.get("year_to")) set -= query.has("month") ? 2 : 1;
  label.textContent = set ? `(${set} set)` : "";
}

for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => {
    if (event.target.form?.id === "filters") countSetFilters();
  });
}
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id === "results" || event.detail.elt?.id === "results") syncForm();
});
document.addEventListener("htmx:historyRestore", countSetFilters);
